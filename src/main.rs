//! `carecircle`: plan and dispatch home-care visits on real roads.
//!
//! A thin command over the `roads`, `solver` and `dispatch-api` crates: one file per
//! subcommand under `commands/`. Errors reach the user as one line naming the file, the
//! field and the reason, with exit status 1.

mod commands;
mod generate;
mod input;
mod output;
mod progress;
mod station_plans;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "carecircle",
    version,
    about = "Plan and dispatch home-care visits on real roads (OpenStreetMap)",
    long_about = "CareCircle assigns caregivers to home-care visits under shift, skill and \
travel-time limits on the real road network, serves orders and schedules over HTTP, and \
simulates station coverage.\n\nStart with:  carecircle demo",
    after_help = "Examples:\n  carecircle demo\n  carecircle solve scenarios/demo.json --time-limit 10 --out plan.json\n  carecircle check scenarios/demo.json plan.json\n  carecircle roads info data/osm/andorra-2020-05-01.osm.pbf"
)]
struct Cli {
    /// Print nothing on stderr but errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Demo(commands::demo::Args),
    Solve(commands::solve::Args),
    Check(commands::check::Args),
    Roads(commands::roads::Args),
    Coverage(commands::coverage::Args),
    Scenario(commands::scenario::Args),
    Simulate(commands::simulate::Args),
    Serve(commands::serve::Args),
    Token(commands::token::Args),
    Db(commands::db::Args),
    Report(commands::report::Args),
    Week(commands::week::Args),
    DemoWeek(commands::demo_week::Args),
    Worker(commands::worker::Args),
}

/// A command piped into `head` should stop quietly when the pipe closes, as Unix tools do,
/// instead of panicking on the failed write: restore the default SIGPIPE action that the Rust
/// runtime replaces.
fn stop_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A service outlives the terminal that started it: a closed stdout must not kill it.
    if !matches!(cli.command, Command::Serve(_) | Command::Worker(_)) {
        stop_quietly_on_closed_pipe();
    }
    let progress = progress::Progress::new(cli.quiet);
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(args, &progress),
        Command::Solve(args) => commands::solve::run(args, &progress),
        Command::Check(args) => commands::check::run(args, &progress),
        Command::Roads(args) => commands::roads::run(args, &progress),
        Command::Coverage(args) => commands::coverage::run(args, &progress),
        Command::Scenario(args) => commands::scenario::run(args, &progress),
        Command::Simulate(args) => commands::simulate::run(args, &progress),
        Command::Week(args) => commands::week::run(args, &progress),
        Command::DemoWeek(args) => commands::demo_week::run(args, &progress),
        Command::Serve(args) => commands::serve::run(args, &progress),
        Command::Worker(args) => commands::worker::run(args, &progress),
        Command::Token(args) => commands::token::run(args),
        Command::Db(args) => commands::db::run(args),
        Command::Report(args) => commands::report::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
