#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    kinga::run()
}
