#![doc = include_str!("../README.md")]

pub mod cli;
pub mod commands;
pub mod mail_worker;
pub mod metrics;
pub mod serve;
pub mod settings;
pub mod telemetry;
pub mod wiring;
