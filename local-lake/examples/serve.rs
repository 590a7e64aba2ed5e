//! Runs a local Lake until stdin closes or Ctrl-C, printing its endpoint URL on one line when ready.
//!
//! ```text
//! cargo run --release -p ctlake-local --example serve -- [--port 4566] [--data-dir .ctlake | --memory]
//! ```

#![allow(clippy::print_stderr)]

use std::net::{Ipv4Addr, SocketAddr};

use ctlake_local::{Config, serve};

#[tokio::main]
async fn main() {
    let mut port = 0u16;
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage("--port needs a number"))
            }
            "--data-dir" => {
                config =
                    Config::with_data_dir(args.next().unwrap_or_else(|| usage("--data-dir needs a path")))
            }
            "--memory" => config = Config::in_memory(),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let listener = match tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(l) => l,
        Err(e) => usage(&format!("cannot listen on 127.0.0.1:{port}: {e}")),
    };
    let addr = listener.local_addr().unwrap_or_else(|e| usage(&e.to_string()));
    println!("http://{addr}");
    let shutdown = async {
        let eof = stdin_closed();
        tokio::select! {
            () = eof => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    };
    if let Err(e) = serve(listener, config, shutdown).await {
        eprintln!("serve: {e}");
        std::process::exit(1);
    }
}

/// Completes when stdin reaches end of file (the parent closed it).
async fn stdin_closed() {
    let _ = tokio::task::spawn_blocking(|| {
        let mut buf = [0u8; 64];
        let mut stdin = std::io::stdin();
        while std::io::Read::read(&mut stdin, &mut buf).is_ok_and(|n| n > 0) {}
    })
    .await;
}

fn usage(message: &str) -> ! {
    eprintln!("serve: {message}\nusage: serve [--port N] [--data-dir DIR | --memory]");
    std::process::exit(2);
}
