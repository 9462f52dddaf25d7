#![forbid(unsafe_code)]

/// Bulk imports allocate values on the reading thread and free them on the writing one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kinga::run()
}
