fn main() {
    std::process::exit(exstig::cli::run(std::env::args_os()));
}
