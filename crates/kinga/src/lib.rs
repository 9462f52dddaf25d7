//! The `kinga` command: parses the command line, opens the database the user named, and hands
//! over to the library crates. Nothing here knows SQL or HTTP.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod database;
mod demo;
mod failure;

pub use failure::Failure;

use clap::Parser;
use std::process::ExitCode;

pub fn run() -> ExitCode {
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
