//! `spotify-simulator`: serves the simulator on 127.0.0.1 until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use spotify_simulator::cli::{self, CliError};
use spotify_simulator::{Simulator, SystemClock};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args().skip(1)) {
        Ok(cli) => cli,
        Err(CliError::HelpRequested) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("spotify-simulator: {error}");
            return ExitCode::from(2);
        }
    };

    // Loopback only: the simulator has no business being reachable from elsewhere.
    let listener = match TcpListener::bind(("127.0.0.1", cli.port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "spotify-simulator: cannot listen on 127.0.0.1:{}: {error}",
                cli.port
            );
            return ExitCode::FAILURE;
        }
    };
    let port = match listener.local_addr() {
        Ok(address) => address.port(),
        Err(error) => {
            eprintln!("spotify-simulator: cannot read the bound address: {error}");
            return ExitCode::FAILURE;
        }
    };
    let base_url = format!("http://127.0.0.1:{port}");
    let mut config = cli.config;
    config.base_url = base_url.clone();
    let simulator = Simulator::new(config, Arc::new(SystemClock));

    // Tests wait for exactly this line, so it goes out whole and at once.
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "spotify-simulator listening on {base_url}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);

    let stopping = simulator.clone();
    let served = axum::serve(listener, simulator.router())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            eprintln!("spotify-simulator: shutting down");
            // Let go of requests held by hang faults, or shutdown would wait for them.
            stopping.shutdown();
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spotify-simulator: server error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
