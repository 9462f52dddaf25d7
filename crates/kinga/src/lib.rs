//! The `kinga` command: parses the command line, opens the database the user named, and hands
//! over to the library crates. Nothing here knows SQL or HTTP.
#![forbid(unsafe_code)]

mod backup;
mod cli;
mod commands;
mod database;
mod demo;
mod failure;

pub use failure::Failure;

use clap::Parser;
use std::process::ExitCode;

pub fn run() -> ExitCode {
    quiet_when_the_reader_stops();
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kinga: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("kinga: {f}");
            ExitCode::from(f.exit_code())
        }
    }
}

/// Output piped into a reader that stops early (`kinga risk forecast … | head`) ends the
/// command the way it ends other command-line tools, with the status a shell gives a program
/// stopped by SIGPIPE, instead of a panic and its backtrace on the terminal.
fn quiet_when_the_reader_stops() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        report(info);
    }));
}
