//! Byte offsets in a catalog file turned into the line and column a person reads.

use std::fmt;

/// A place in a catalog file: line and column, both counted from 1 (the column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, in characters from 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (an offset past the end is the end; one inside a character
    /// is that character).
    pub fn of(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::Position;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(Position::of(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::of(text, 4), Position { line: 1, column: 5 });
        assert_eq!(Position::of(text, 6), Position { line: 2, column: 1 });
        // `é` is two bytes: the `=` after it is character 4 of line 2.
        assert_eq!(Position::of(text, 10), Position { line: 2, column: 4 });
        // Inside a character: that character; past the end: the end.
        assert_eq!(Position::of(text, 8), Position { line: 2, column: 2 });
        assert_eq!(Position::of(text, 999), Position { line: 3, column: 1 });
        assert_eq!(Position { line: 3, column: 7 }.to_string(), "3:7");
    }
}
