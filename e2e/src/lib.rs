//! End-to-end harness: the Worker in wrangler's local runtime against the Spotify simulator.
//!
//! [`Stack::start`] brings up one isolated stack (its own ports, its own state directory,
//! its own simulator) so that tests can run in parallel, and tears it down on drop.
//! Everything talks HTTP on 127.0.0.1.
//!
//! Prerequisites (the test script builds them; the harness fails, never skips, without):
//! - the simulator binary, `cargo build -p spotify-simulator` (in `$CARGO_TARGET_DIR` or
//!   the workspace's `target/`, profile `debug`);
//! - the Workers, `scripts/build` (into `build/`: the front, and `review/`, `history/`,
//!   `background/` beside it);
//! - wrangler, `node_modules/.bin/wrangler` (`npm ci`), and node, which runs it.
//!
//! Wrangler runs with a copy of `wrangler.toml` in the stack's directory that has no
//! `[build]` section (and absolute paths), so that parallel stacks never rebuild the
//! Workers under each other's feet: they serve whatever `scripts/build` last produced.
//! As deployed, the four Workers run together (one `wrangler dev` with a config each, split
//! from that copy by scripts/workers.mjs): the front takes every request and the cron,
//! and passes the other parts' routes on through its service bindings.
//!
//! Applying the migrations costs one `wrangler d1 migrations apply` (seconds) per database,
//! so it is done once per test process, into a template directory; each stack's D1
//! databases start as copies of it, made before `wrangler dev` starts. A stack may spread
//! its users over several D1 databases ([`Stack::start_with_shards`]): `ARCHIVE_DB` is
//! shard 0 and `ARCHIVE_DB_1`, `ARCHIVE_DB_2`, … the others, each a copy of the template;
//! [`Stack::d1_in`] runs SQL on any of them.
//!
//! Set `E2E_KEEP_STATE=1` to keep each stack's directory (logs, D1, KV) after the test,
//! and `E2E_WORKER_BUILD=DIR` to serve another build of the Worker than `build/` (a
//! directory as `scripts/build` fills it, e.g. a deliberately broken one, to check that
//! the tests catch it).

pub mod webdriver;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::fs::{self, File};
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

/// How long a stack may take to come up (simulator, copies of the migrated D1, wrangler
/// dev; the process's one migration run comes before and is not counted).
pub const START_DEADLINE: Duration = Duration::from_secs(90);
/// A generous wait for one queued archive: the consumer batches for up to 5 s.
pub const ARCHIVE_DEADLINE: Duration = Duration::from_secs(45);
/// The cron of wrangler.toml, as wrangler's test route takes it.
pub const CRON_PATH: &str = "/__scheduled?cron=*/5+*+*+*+*";

const POLL_INTERVAL: Duration = Duration::from_millis(250);
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);
const MINUTE_MS: i64 = 60_000;

/// Unix milliseconds now, on the clock the Worker and the simulator share.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

/// The workspace root (this crate's parent).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e lives inside the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// The simulator binary the test script built.
pub fn simulator_binary() -> PathBuf {
    target_dir().join("debug").join("spotify-simulator")
}

/// Where each of the four Workers is built, in [`worker_build_dir`] (scripts/build): the
/// front in the directory itself, the other parts beside it.
pub const WORKER_PARTS: [&str; 4] = ["", "review", "history", "background"];

/// The built Workers: `build/`, or `$E2E_WORKER_BUILD`.
pub fn worker_build_dir() -> PathBuf {
    match std::env::var_os("E2E_WORKER_BUILD").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("build"),
    }
}

fn wrangler_binary() -> PathBuf {
    workspace_root().join("node_modules/.bin/wrangler")
}

/// Fails with a clear message when something the suite needs was not built.
fn check_prerequisites() {
    let root = workspace_root();
    let sim = simulator_binary();
    assert!(
        sim.is_file(),
        "the simulator binary {} is missing: run `cargo build -p spotify-simulator` first \
         (the e2e suite never skips)",
        sim.display()
    );
    let wrangler = wrangler_binary();
    assert!(
        wrangler.is_file(),
        "{} is missing: run `npm ci` (or scripts/setup) first",
        wrangler.display()
    );
    let build = worker_build_dir();
    for part in WORKER_PARTS {
        for file in ["index.js", "index_bg.wasm"] {
            let path = build.join(part).join(file);
            assert!(
                path.is_file(),
                "{} is missing: run `scripts/build` first",
                path.display()
            );
        }
    }
    if std::env::var_os("E2E_WORKER_BUILD").is_some() {
        eprintln!("e2e: serving the Worker built in {}", build.display());
        return;
    }
    static STALE_WARNING: OnceLock<()> = OnceLock::new();
    STALE_WARNING.get_or_init(|| {
        let built = modified(&build.join("index_bg.wasm"));
        let newest = ["src", "migrations", "Cargo.toml", "Cargo.lock"]
            .iter()
            .filter_map(|entry| newest_modification(&root.join(entry)))
            .max();
        if let (Some(built), Some(newest)) = (built, newest) {
            if newest > built {
                eprintln!(
                    "e2e: warning: build/ is older than the Worker's sources; these tests run the \
                     old build (run scripts/build)"
                );
            }
        }
    });
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|meta| meta.modified()).ok()
}

fn newest_modification(path: &Path) -> Option<SystemTime> {
    let meta = fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest_modification(&entry.path()))
        .max()
}

fn random_bytes(count: usize) -> Vec<u8> {
    let mut bytes = vec![0; count];
    File::open("/dev/urandom")
        .and_then(|mut urandom| urandom.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes
}

fn random_hex(count: usize) -> String {
    random_bytes(count)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Two distinct loopback ports that were free a moment ago (bound together, so they
/// differ, then released for wrangler to take).
fn free_ports() -> (u16, u16) {
    let first = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let second = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let ports = (
        first.local_addr().expect("addr").port(),
        second.local_addr().expect("addr").port(),
    );
    drop((first, second));
    ports
}

/// The last `lines` lines of a file, or a note that it could not be read.
fn tail(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(error) => format!("<{}: {error}>", path.display()),
    }
}

// ---------------------------------------------------------------------------------------
// Wrangler's configuration and D1: the shards and the migrated template

/// A `[[d1_databases]]` entry of wrangler.toml.
#[derive(Debug, Clone)]
struct D1Database {
    name: String,
    id: String,
    migrations_dir: String,
}

/// The D1 binding of shard `shard`, as the Worker reads it: `ARCHIVE_DB` for shard 0 (the
/// directory), `ARCHIVE_DB_<k>` after it.
pub fn shard_binding(shard: usize) -> String {
    if shard == 0 {
        "ARCHIVE_DB".to_owned()
    } else {
        format!("ARCHIVE_DB_{shard}")
    }
}

/// The string value of `key = "…"` on a line of TOML.
fn toml_string(line: &str, key: &str) -> Option<String> {
    let rest = line
        .trim()
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?;
    Some(rest.trim().strip_prefix('"')?.split('"').next()?.to_owned())
}

/// The workspace's wrangler.toml.
fn original_config() -> &'static str {
    static CONFIG: OnceLock<String> = OnceLock::new();
    CONFIG.get_or_init(|| {
        fs::read_to_string(workspace_root().join("wrangler.toml")).expect("read wrangler.toml")
    })
}

/// A wrangler.toml's lines by table: the lines before the first header, then each header
/// with the lines after it.
fn toml_tables(config: &str) -> Vec<Vec<&str>> {
    let mut tables = vec![Vec::new()];
    for line in config.lines() {
        if line.trim().starts_with('[') {
            tables.push(Vec::new());
        }
        tables.last_mut().expect("one at least").push(line);
    }
    tables
}

/// The value of `key` in a table (its lines).
fn table_string(table: &[&str], key: &str) -> Option<String> {
    table.iter().find_map(|line| toml_string(line, key))
}

/// Whether a table (its lines) is a `[[d1_databases]]` entry other than `ARCHIVE_DB`'s.
fn is_other_database(table: &[&str]) -> bool {
    table.first().map(|header| header.trim()) == Some("[[d1_databases]]")
        && table_string(table, "binding").as_deref() != Some("ARCHIVE_DB")
}

/// The `[[d1_databases]]` entry of `ARCHIVE_DB` in a wrangler.toml.
fn archive_database(config: &str) -> D1Database {
    toml_tables(config)
        .into_iter()
        .find(|table| {
            table.first().map(|header| header.trim()) == Some("[[d1_databases]]")
                && table_string(table, "binding").as_deref() == Some("ARCHIVE_DB")
        })
        .and_then(|table| {
            Some(D1Database {
                name: table_string(&table, "database_name")?,
                id: table_string(&table, "database_id")?,
                migrations_dir: table_string(&table, "migrations_dir")
                    .unwrap_or_else(|| "migrations".to_owned()),
            })
        })
        .expect("wrangler.toml binds ARCHIVE_DB with a database_name and a database_id")
}

/// The local D1 database of shard `shard` in a stack's configuration: shard 0 as
/// wrangler.toml has it, the others named after it, each with an id of its own
/// (UUID-shaped, as wrangler wants). The same in every stack, so that the file names of
/// the databases are too (see [`d1_object_name`]).
fn shard_database(shard: usize) -> D1Database {
    let archive = archive_database(original_config());
    if shard == 0 {
        return archive;
    }
    D1Database {
        name: format!("{}-{shard}", archive.name),
        id: format!("00000000-0000-4000-8000-{shard:012}"),
        migrations_dir: archive.migrations_dir,
    }
}

/// wrangler.toml without `[build]`, with absolute paths, and with the stack's shards:
/// `ARCHIVE_DB` as wrangler.toml has it, then `ARCHIVE_DB_1…` for shards past the first
/// (each its own database, the same migrations), in place of any other D1 database that
/// wrangler.toml binds.
fn derived_config(shards: usize) -> String {
    let root = workspace_root();
    let absolute_path = |value: &str| {
        let path = Path::new(value);
        if path.is_relative() {
            root.join(path)
        } else {
            path.to_path_buf()
        }
    };
    let mut derived = String::from("# Derived from wrangler.toml by the e2e harness.\n");
    for table in toml_tables(original_config()) {
        if table.first().map(|header| header.trim()) == Some("[build]") || is_other_database(&table)
        {
            continue;
        }
        for line in table {
            let absolute = ["main", "migrations_dir"].iter().find_map(|key| {
                let value = toml_string(line, key)?;
                let path = match (*key, Path::new(&value).file_name()) {
                    ("main", Some(file)) => worker_build_dir().join(file),
                    _ => absolute_path(&value),
                };
                Path::new(&value)
                    .is_relative()
                    .then(|| format!("{key} = \"{}\"", path.display()))
            });
            derived.push_str(absolute.as_deref().unwrap_or(line));
            derived.push('\n');
        }
    }
    for shard in 1..shards {
        let database = shard_database(shard);
        derived.push_str(&format!(
            "\n# Shard {shard} (the e2e harness).\n[[d1_databases]]\nbinding = \"{}\"\n\
             database_name = \"{}\"\ndatabase_id = \"{}\"\nmigrations_dir = \"{}\"\n",
            shard_binding(shard),
            database.name,
            database.id,
            absolute_path(&database.migrations_dir).display()
        ));
    }
    derived
}

/// `config` with its Worker named `name` (and so its parts after it, by
/// scripts/workers.mjs): each stack's own, so that wrangler's registry of the Workers in
/// development, which every `wrangler dev` of the machine shares, can never bind one
/// stack's front to another stack's part.
fn with_worker_name(config: &str, name: &str) -> String {
    let mut named = false;
    let lines = config.lines().map(|line| {
        if !named && toml_string(line, "name").is_some() {
            named = true;
            format!("name = \"{name}\"")
        } else {
            line.to_owned()
        }
    });
    let renamed: Vec<String> = lines.collect();
    assert!(named, "the config names no Worker:\n{config}");
    renamed.join("\n") + "\n"
}

/// wrangler, run in `dir`, without telemetry or colours.
fn wrangler_command(dir: &Path) -> Command {
    let mut command = Command::new(wrangler_binary());
    command
        .current_dir(dir)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0");
    command
}

/// Runs a wrangler command in `dir` to completion; `Err` carries its output.
fn run_wrangler(dir: &Path, args: &[&str]) -> Result<String, String> {
    let mut command = wrangler_command(dir);
    command.args(args).stdin(Stdio::null());
    let output = command
        .output()
        .map_err(|error| format!("could not run wrangler {args:?}: {error}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "wrangler {args:?} failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Where miniflare keeps the local D1 databases in a persist directory (`--persist-to`).
const D1_OBJECTS_DIR: &str = "v3/d1/miniflare-D1DatabaseObject";

/// The name (before `.sqlite`, `.sqlite-wal`, `.sqlite-shm`) of the file in which
/// miniflare keeps the local D1 database `database_id`: the id of its durable object,
/// `durableObjectNamespaceIdFromName("miniflare-D1DatabaseObject", database_id)` in
/// miniflare's source: with the SHA-256 of the class's key as the key, the first 16 bytes
/// of the HMAC-SHA256 of the id, then the first 16 of the HMAC-SHA256 of those, in hex.
/// It depends on the database id alone, so a copy of a database under the name of
/// another id is that database, in any stack.
fn d1_object_name(database_id: &str) -> String {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    let key = Sha256::digest(b"miniflare-D1DatabaseObject");
    let hmac = |data: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key");
        mac.update(data);
        mac.finalize().into_bytes()
    };
    let name = hmac(database_id.as_bytes());
    let check = hmac(&name[..16]);
    name[..16]
        .iter()
        .chain(&check[..16])
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A persist directory holding shard 0's database with every migration applied: made once
/// per test process (a `wrangler d1 migrations apply` takes seconds per database), then
/// every stack's databases, every shard's, start as copies of it.
struct D1Template {
    /// The persist directory.
    state: PathBuf,
    /// The name of the database's files in [`D1_OBJECTS_DIR`].
    object: String,
}

const TEMPLATE_PREFIX: &str = "stm-e2e-template-";

/// The process's migrated template, made on first use.
fn d1_template() -> &'static D1Template {
    static TEMPLATE: OnceLock<D1Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let started = Instant::now();
        remove_stale_templates();
        let dir = std::env::temp_dir().join(format!(
            "{TEMPLATE_PREFIX}{}-{}",
            std::process::id(),
            random_hex(4)
        ));
        fs::create_dir_all(&dir).expect("create the D1 template's directory");
        let config = dir.join("wrangler.toml");
        fs::write(&config, derived_config(1)).expect("write the template's wrangler.toml");
        let state = dir.join("state");
        let args = [
            "d1",
            "migrations",
            "apply",
            "ARCHIVE_DB",
            "--local",
            "--persist-to",
            state.to_str().expect("utf-8 path"),
            "-c",
            config.to_str().expect("utf-8 path"),
        ];
        if let Err(error) = run_wrangler(&dir, &args) {
            let _ = fs::remove_dir_all(&dir);
            panic!("applying the migrations failed: {error}");
        }
        let object = d1_object_name(&shard_database(0).id);
        let objects = state.join(D1_OBJECTS_DIR);
        if !objects.join(format!("{object}.sqlite")).is_file() {
            let found: Vec<String> = fs::read_dir(&objects)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            panic!(
                "the migrated database is not {}/{object}.sqlite (found {found:?}): this \
                 wrangler keeps local D1 elsewhere or names it otherwise, so copies of it \
                 would not be found (see d1_object_name)",
                objects.display()
            );
        }
        eprintln!(
            "e2e: migrations applied to the D1 template in {:.1} s (once per test process): {}",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
        D1Template { state, object }
    })
}

/// Removes the templates of test processes that have ended (a process cannot remove its
/// own: statics are never dropped).
fn remove_stale_templates() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(TEMPLATE_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        // SAFETY: kill with signal 0 sends nothing; it only asks whether `pid` exists.
        let gone = unsafe { libc::kill(pid, 0) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Fills the persist directory `persist` with migrated databases for `shards` shards:
/// the template as it is (shard 0), and its database again under each other shard's name.
fn seed_d1(persist: &Path, shards: usize) {
    let template = d1_template();
    copy_dir(&template.state, persist).unwrap_or_else(|error| {
        panic!(
            "copying the D1 template {} to {}: {error}",
            template.state.display(),
            persist.display()
        )
    });
    let source = template.state.join(D1_OBJECTS_DIR);
    let target = persist.join(D1_OBJECTS_DIR);
    let files: Vec<(PathBuf, String)> = fs::read_dir(&source)
        .expect("read the D1 template")
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let suffix = name.strip_prefix(&template.object)?.to_owned();
            Some((entry.path(), suffix))
        })
        .collect();
    for shard in 1..shards {
        let object = d1_object_name(&shard_database(shard).id);
        for (path, suffix) in &files {
            fs::copy(path, target.join(format!("{object}{suffix}"))).unwrap_or_else(|error| {
                panic!("copying {} for shard {shard}: {error}", path.display())
            });
        }
    }
}

// ---------------------------------------------------------------------------------------
// Processes

/// A child in its own process group, its output in files.
struct Proc {
    name: String,
    child: Child,
    /// Whether the leader has been waited for (its pid may then be reused).
    reaped: bool,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Proc {
    fn spawn(name: &str, mut command: Command, dir: &Path) -> Proc {
        let stdout = dir.join(format!("{name}.stdout.log"));
        let stderr = dir.join(format!("{name}.stderr.log"));
        let out = File::create(&stdout).expect("create a log file");
        let err = File::create(&stderr).expect("create a log file");
        command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("could not start {name} ({command:?}): {error}"));
        Proc {
            name: name.to_owned(),
            child,
            reaped: false,
            stdout,
            stderr,
        }
    }

    /// Whether the group leader has exited, without reaping it.
    fn leader_exited(&self) -> bool {
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid writes into `info`, which lives for the call; WNOWAIT leaves the
        // child a zombie so its pid (and so the group id) cannot be reused meanwhile.
        let result = unsafe {
            libc::waitid(
                libc::P_PID,
                self.child.id(),
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        // SAFETY: reading the pid field of a siginfo_t that waitid filled (or zeroed).
        result == 0 && unsafe { info.si_pid() } != 0
    }

    /// The leader's exit status once it has exited (reaping it).
    fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        if self.reaped || !self.leader_exited() {
            return None;
        }
        let status = self.child.try_wait().ok().flatten();
        self.reaped = status.is_some();
        status
    }

    fn signal_group(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory effects; a negative pid names our child's group.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), signal);
        }
    }

    /// SIGTERM to the whole group, up to 5 s for the leader to go, then SIGKILL to
    /// whatever is left of the group, then the leader is reaped.
    fn stop(&mut self) {
        if self.reaped {
            // The leader died earlier and was reaped: finish off any orphans of its group.
            self.signal_group(libc::SIGKILL);
            return;
        }
        if !self.leader_exited() {
            self.signal_group(libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while !self.leader_exited() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(50));
            }
            // Give the leader's children a moment to follow it out cleanly.
            thread::sleep(Duration::from_millis(200));
        }
        // The leader is still unreaped, so its pid (the group's id) cannot have been
        // reused: whatever is left of the group goes now, then the leader is reaped.
        self.signal_group(libc::SIGKILL);
        let _ = self.child.wait();
        self.reaped = true;
    }

    fn diagnostics(&self, lines: usize) -> String {
        format!(
            "----- {name} stdout ({out}) -----\n{stdout}\n----- {name} stderr ({err}) -----\n{stderr}\n",
            name = self.name,
            out = self.stdout.display(),
            err = self.stderr.display(),
            stdout = tail(&self.stdout, lines),
            stderr = tail(&self.stderr, lines),
        )
    }
}

// ---------------------------------------------------------------------------------------
// HTTP

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| {
            panic!(
                "expected JSON ({error}), got status {}: {}",
                self.status, self.body
            )
        })
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(HTTP_TIMEOUT))
            .build(),
    )
}

fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<(&str, String)>,
) -> Result<Reply, String> {
    let result = match method {
        "GET" | "DELETE" => {
            let mut request = if method == "GET" {
                agent.get(url)
            } else {
                agent.delete(url)
            };
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            request.call()
        }
        "POST" => {
            let mut request = agent.post(url);
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            match body {
                Some((content_type, body)) => request.content_type(content_type).send(body),
                None => request.send_empty(),
            }
        }
        other => return Err(format!("unsupported method {other}")),
    };
    let mut response = result.map_err(|error| format!("{method} {url}: {error}"))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|error| format!("{method} {url}: reading the body: {error}"))?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------
// Plays

/// A play as both sides can name it: the track's URI and when it ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Play {
    pub played_at: i64,
    pub track_uri: String,
}

impl Play {
    fn from_sim(value: &Value) -> Play {
        Play {
            played_at: value["played_at_ms"]
                .as_i64()
                .unwrap_or_else(|| panic!("a simulator play without played_at_ms: {value}")),
            track_uri: value["track_uri"]
                .as_str()
                .unwrap_or_else(|| panic!("a simulator play without track_uri: {value}"))
                .to_owned(),
        }
    }

    fn from_archive(value: &Value) -> Play {
        Play {
            played_at: value["played_at"]
                .as_i64()
                .unwrap_or_else(|| panic!("an archived play without played_at: {value}")),
            track_uri: value["track_uri"]
                .as_str()
                .unwrap_or_else(|| panic!("an archived play without track_uri: {value}"))
                .to_owned(),
        }
    }
}

/// The simulator's per-user counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SimStats {
    pub recently_played_calls: u64,
    pub token_calls: u64,
    pub me_calls: u64,
    pub authorize_decisions: u64,
}

/// A readable difference between two sets of plays.
fn describe(plays: &[&Play]) -> String {
    let shown: Vec<String> = plays
        .iter()
        .take(10)
        .map(|play| format!("{} {}", play.played_at, play.track_uri))
        .collect();
    let more = plays.len().saturating_sub(shown.len());
    if more > 0 {
        format!("[{} … and {more} more]", shown.join(", "))
    } else {
        format!("[{}]", shown.join(", "))
    }
}

/// The plays that occur more than once.
pub fn duplicates(plays: &[Play]) -> Vec<Play> {
    let mut seen = BTreeSet::new();
    let mut twice = BTreeSet::new();
    for play in plays {
        if !seen.insert(play) {
            twice.insert(play.clone());
        }
    }
    twice.into_iter().collect()
}

// ---------------------------------------------------------------------------------------
// The stack

static STACKS: AtomicU64 = AtomicU64::new(0);

/// The simulator's sink that receives the operator's alerts.
pub const OPERATOR_SINK: &str = "operator";

/// One simulator and one `wrangler dev`, with their own ports and state.
pub struct Stack {
    /// `http://127.0.0.1:PORT` of the Worker.
    pub worker_url: String,
    /// `http://127.0.0.1:PORT` of the simulator.
    pub sim_url: String,
    cron_secret: String,
    /// TOKEN_ENCRYPTION_KEY of this stack: the same across restarts of the Worker, so
    /// that the tokens it sealed still open.
    token_key: String,
    /// OPERATOR_ALERT_SECRET of this stack: the operator's alerts go to the simulator's
    /// sink `operator`, signed with it.
    operator_secret: String,
    dir: PathBuf,
    config: PathBuf,
    /// D1 databases bound: `ARCHIVE_DB`, then `ARCHIVE_DB_1` … `ARCHIVE_DB_{shards - 1}`.
    shards: usize,
    sim: Option<Proc>,
    /// `wrangler dev`; replaced by [`Stack::restart_worker`].
    wrangler: RefCell<Option<Proc>>,
    /// The stdout and stderr of every `wrangler dev` this stack ran, in order: its
    /// structured logs (`console.log` lines on stdout, `console.warn`/`error` on stderr).
    worker_logs: RefCell<Vec<[PathBuf; 2]>>,
    agent: ureq::Agent,
    /// UTC minute (Unix ms / 60 000) at which the last sweep had surely started.
    last_sweep_minute: Cell<Option<i64>>,
    started: Instant,
}

impl Stack {
    /// Starts a fresh stack with one D1 database (`ARCHIVE_DB`) and waits until the Worker
    /// answers its health route.
    #[track_caller]
    pub fn start() -> Stack {
        Stack::start_with_shards(1)
    }

    /// Starts a fresh stack whose users are spread over `shards` D1 databases:
    /// `ARCHIVE_DB` (shard 0, the directory) and `ARCHIVE_DB_1` … `ARCHIVE_DB_{shards - 1}`,
    /// each with every migration applied; waits until the Worker answers its health route.
    #[track_caller]
    pub fn start_with_shards(shards: usize) -> Stack {
        assert!(shards >= 1, "a stack binds at least ARCHIVE_DB");
        check_prerequisites();
        // Made once per process (the first stack waits for it), outside the stack's time.
        d1_template();
        let started = Instant::now();
        let serial = STACKS.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "stm-e2e-{}-{serial}-{}",
            std::process::id(),
            random_hex(4)
        ));
        fs::create_dir_all(&dir).expect("create the stack's state directory");
        let mut stack = Stack {
            worker_url: String::new(),
            sim_url: String::new(),
            cron_secret: random_hex(24),
            token_key: base64::engine::general_purpose::STANDARD.encode(random_bytes(32)),
            operator_secret: format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(random_bytes(24))
            ),
            config: dir.join("wrangler.toml"),
            dir,
            shards,
            sim: None,
            wrangler: RefCell::new(None),
            worker_logs: RefCell::new(Vec::new()),
            agent: agent(),
            last_sweep_minute: Cell::new(None),
            started,
        };
        stack.start_simulator();
        let name = format!("stm-e2e-{}", random_hex(6));
        let config = with_worker_name(&derived_config(shards), &name);
        fs::write(&stack.config, config).expect("write the derived wrangler.toml");
        seed_d1(&stack.persist_dir(), shards);
        stack.start_wrangler();
        eprintln!(
            "e2e: stack up in {:.1} s ({shards} D1 shard{}): worker {} simulator {} state {}",
            started.elapsed().as_secs_f64(),
            if shards == 1 { "" } else { "s" },
            stack.worker_url,
            stack.sim_url,
            stack.dir.display()
        );
        stack
    }

    /// The stack's state directory (logs, D1, KV, queues).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many D1 databases (shards) the Worker has bound.
    pub fn shards(&self) -> usize {
        self.shards
    }

    fn start_simulator(&mut self) {
        let mut command = Command::new(simulator_binary());
        command.args(["--port", "0", "--users", "0"]);
        self.sim = Some(Proc::spawn("simulator", command, &self.dir));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let sim = self.sim.as_mut().expect("just started");
            let output = fs::read_to_string(&sim.stdout).unwrap_or_default();
            if let Some(url) = output
                .lines()
                .find_map(|line| line.strip_prefix("spotify-simulator listening on "))
            {
                self.sim_url = url.trim().to_owned();
                break;
            }
            if let Some(status) = sim.exit_status() {
                panic!(
                    "the simulator exited ({status}) before listening\n{}",
                    sim.diagnostics(40)
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "the simulator did not print its address within 20 s\n{}",
                    sim.diagnostics(40)
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
        let health = self.sim_get("/health");
        assert_eq!(health["ok"], true, "simulator health: {health}");
    }

    fn wrangler_command(&self) -> Command {
        wrangler_command(&self.dir)
    }

    fn persist_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// `wrangler dev` of this stack on `port`, with its secrets and state: the four Workers
    /// of a deployment in one runtime (the front first, which takes the requests and the
    /// cron), their configs split from the stack's by scripts/workers.mjs.
    fn wrangler_dev(&self, port: u16, inspector: u16) -> Command {
        let persist = self.persist_dir().display().to_string();
        let mut command = self.wrangler_command();
        command.args([
            "dev",
            "--local",
            "--test-scheduled",
            "--ip",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--inspector-port",
            &inspector.to_string(),
            "--persist-to",
            &persist,
        ]);
        for config in self.worker_configs() {
            command.arg("-c").arg(config);
        }
        command
    }

    /// The four Workers' configs, from the stack's, with its secrets and settings in each
    /// (`wrangler dev` gives its `--var`s to the first Worker only).
    fn worker_configs(&self) -> Vec<PathBuf> {
        let vars = [
            format!("SPOTIFY_ACCOUNTS_URL={}", self.sim_url),
            format!("SPOTIFY_API_URL={}", self.sim_url),
            "SPOTIFY_CLIENT_ID=sim-client-id".to_owned(),
            "SPOTIFY_CLIENT_SECRET=sim-client-secret".to_owned(),
            format!("CRON_SECRET={}", self.cron_secret),
            format!("TOKEN_ENCRYPTION_KEY={}", self.token_key),
            // Notifications: links back to this Worker, channels on loopback (the
            // simulator's sinks), retries from a second apart and six of them (a
            // channel that always fails is disabled in a minute, not two hours), the
            // operator's sink.
            format!("PUBLIC_URL={}", self.worker_url),
            "ALLOW_LOOPBACK_NOTIFICATIONS=true".to_owned(),
            "NOTIFY_RETRY_BASE_SECONDS=1".to_owned(),
            "NOTIFY_MAX_ATTEMPTS=6".to_owned(),
            format!("OPERATOR_ALERT_URL={}/sinks/{OPERATOR_SINK}", self.sim_url),
            format!("OPERATOR_ALERT_SECRET={}", self.operator_secret),
            // Forwarding: the simulator's ListenBrainz and Last.fm.
            format!("LISTENBRAINZ_API_URL={}/listenbrainz", self.sim_url),
            "LASTFM_API_KEY=sim-lastfm-key".to_owned(),
            "LASTFM_SHARED_SECRET=sim-lastfm-secret".to_owned(),
            format!("LASTFM_API_URL={}/lastfm", self.sim_url),
            format!("LASTFM_AUTH_URL={}/lastfm", self.sim_url),
        ];
        let script = workspace_root().join("scripts/workers.mjs");
        let output = Command::new("node")
            .arg(&script)
            .arg(&self.config)
            .arg(self.dir.join("workers"))
            .args(&vars)
            .stdin(Stdio::null())
            .output()
            .expect("run node scripts/workers.mjs (node is wrangler's runtime)");
        assert!(
            output.status.success(),
            "scripts/workers.mjs failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let configs: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(PathBuf::from)
            .collect();
        assert_eq!(configs.len(), 4, "scripts/workers.mjs wrote {configs:?}");
        configs
    }

    /// Connects `sim_user` in Chromium: Connect, approve on the simulator, back on the
    /// dashboard (each page within 30 s).
    pub fn connect_in_browser(&self, chrome: &webdriver::Browser, sim_user: &str) {
        const PAGE: Duration = Duration::from_secs(30);
        chrome.goto(&self.worker_url);
        let connect = chrome.wait_for(webdriver::By::Css("#connect"), PAGE);
        chrome.click(&connect);
        chrome.wait_for(webdriver::By::Css("#approve"), PAGE);
        chrome.select_value("#user", sim_user);
        let approve = chrome.wait_for(webdriver::By::Css("#approve"), PAGE);
        chrome.click(&approve);
        chrome.wait_for(webdriver::By::Css("#timeline"), PAGE);
        // The login's first archive lands its plays on top of the list when it ends,
        // moving everything below: a click at that moment lands beside its button (seen
        // in CI, under load). The list is `aria-busy` until then; a person waits too.
        chrome.wait_for(
            webdriver::By::Css("#timeline:not([aria-busy])"),
            Duration::from_secs(90),
        );
    }

    /// The operator's signing secret, to configure the `operator` sink with.
    pub fn operator_secret(&self) -> &str {
        &self.operator_secret
    }

    /// Configures the simulator's sink `name` (`POST /admin/sinks/{name}`): its signing
    /// secret and scripted answers.
    pub fn configure_sink(&self, name: &str, config: Value) -> Value {
        self.sim_post(&format!("/admin/sinks/{name}"), config)
    }

    /// What the simulator's sink `name` received, oldest first.
    pub fn sink(&self, name: &str) -> Vec<Value> {
        self.sim_get(&format!("/admin/sinks/{name}"))["received"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The URL of the simulator's sink `name`, as a channel's URL.
    pub fn sink_url(&self, name: &str) -> String {
        format!("{}/sinks/{name}", self.sim_url)
    }

    fn spawn_wrangler(&self, name: &str, port: u16, inspector: u16) {
        let proc = Proc::spawn(name, self.wrangler_dev(port, inspector), &self.dir);
        self.worker_logs
            .borrow_mut()
            .push([proc.stdout.clone(), proc.stderr.clone()]);
        *self.wrangler.borrow_mut() = Some(proc);
    }

    /// Waits until the Worker answers its health route; `Err` with wrangler's output
    /// when wrangler exited first.
    fn wait_healthy(&self, deadline: Instant) -> Result<(), String> {
        loop {
            if let Ok(reply) = send(
                &self.agent,
                "GET",
                &format!("{}/api/health", self.worker_url),
                &[],
                None,
            ) {
                if reply.status == 200 {
                    return Ok(());
                }
            }
            let exited = {
                let mut guard = self.wrangler.borrow_mut();
                let wrangler = guard.as_mut().expect("just started");
                wrangler.exit_status().map(|status| {
                    format!(
                        "wrangler dev exited ({status}) before it was healthy\n{}{}",
                        tail(&wrangler.stdout, 200),
                        tail(&wrangler.stderr, 200)
                    )
                })
            };
            if let Some(output) = exited {
                return Err(output);
            }
            if Instant::now() > deadline {
                panic!(
                    "wrangler dev was not healthy within {} s\n{}",
                    START_DEADLINE.as_secs(),
                    self.diagnostics()
                );
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    fn start_wrangler(&mut self) {
        for attempt in 1..=3 {
            let (port, inspector) = free_ports();
            self.worker_url = format!("http://127.0.0.1:{port}");
            self.spawn_wrangler(&format!("wrangler-{attempt}"), port, inspector);
            match self.wait_healthy(self.started + START_DEADLINE) {
                Ok(()) => return,
                Err(output) => {
                    let port_taken =
                        output.contains("EADDRINUSE") || output.contains("Address already in use");
                    if attempt < 3 && port_taken {
                        eprintln!("e2e: wrangler lost its port to another process; retrying");
                        if let Some(mut failed) = self.wrangler.take() {
                            failed.stop();
                        }
                        continue;
                    }
                    panic!("{output}\n{}", self.diagnostics());
                }
            }
        }
        panic!("wrangler dev could not bind a port in 3 attempts");
    }

    /// Kills `wrangler dev` and its runtime at once (SIGKILL to the whole group, as a
    /// crash or an evicted isolate ends an invocation: no handler gets to finish, nothing
    /// is acked), then starts it again on the same port, the same state directory (D1,
    /// KV) and the same secrets. What the local runtime keeps of its queues across the
    /// restart is the runtime's business: tests must not count on an in-flight message
    /// coming back (on Cloudflare it is redelivered).
    #[track_caller]
    pub fn restart_worker(&self) {
        let started = Instant::now();
        if let Some(mut wrangler) = self.wrangler.take() {
            wrangler.signal_group(libc::SIGKILL);
            wrangler.stop();
        }
        let port: u16 = self
            .worker_url
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("the worker's port");
        let (_, inspector) = free_ports();
        let restarts = self.worker_logs.borrow().len();
        self.spawn_wrangler(&format!("wrangler-restart-{restarts}"), port, inspector);
        if let Err(output) = self.wait_healthy(Instant::now() + START_DEADLINE) {
            self.fail(&format!("the restarted worker did not come up: {output}"));
        }
        eprintln!(
            "e2e: worker killed and restarted in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    /// The recent output of wrangler and the simulator.
    pub fn diagnostics(&self) -> String {
        let mut text = String::from("\n===== recent output of the stack =====\n");
        if let Some(wrangler) = &*self.wrangler.borrow() {
            text.push_str(&wrangler.diagnostics(80));
        }
        if let Some(sim) = &self.sim {
            text.push_str(&sim.diagnostics(40));
        }
        text
    }

    /// Panics with `message` and the stack's recent output.
    #[track_caller]
    pub fn fail(&self, message: &str) -> ! {
        panic!("{message}\n{}", self.diagnostics())
    }

    /// Polls `probe` until it returns `Ok`, sleeping briefly between polls; after
    /// `timeout` fails with `what`, the last observation (the last `Err`) and the stack's
    /// recent output.
    #[track_caller]
    pub fn wait_until<T, O: Debug>(
        &self,
        timeout: Duration,
        what: &str,
        mut probe: impl FnMut() -> Result<T, O>,
    ) -> T {
        let started = Instant::now();
        loop {
            match probe() {
                Ok(value) => return value,
                Err(observation) => {
                    if started.elapsed() > timeout {
                        self.fail(&format!(
                            "timed out after {:.1} s waiting until {what}\nlast observation: {observation:#?}",
                            started.elapsed().as_secs_f64()
                        ));
                    }
                }
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// One HTTP exchange; a transport error fails the test with the stack's output.
    #[track_caller]
    pub fn http(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Option<(&str, String)>,
    ) -> Reply {
        send(&self.agent, method, url, headers, body).unwrap_or_else(|error| self.fail(&error))
    }

    // -- The simulator's admin API ------------------------------------------------------

    #[track_caller]
    fn sim_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.sim_url);
        let reply = self.http(
            method,
            &url,
            &[],
            body.map(|body| ("application/json", body.to_string())),
        );
        if !(200..300).contains(&reply.status) {
            self.fail(&format!(
                "simulator {method} {path} answered {}: {}",
                reply.status, reply.body
            ));
        }
        // A 204 (a script queued, a token revoked) has no body.
        if reply.body.is_empty() {
            return Value::Null;
        }
        reply.json()
    }

    #[track_caller]
    pub fn sim_get(&self, path: &str) -> Value {
        self.sim_call("GET", path, None)
    }

    /// The times a simulated service received, in its own words: the `field` of each
    /// item of the list `list` that `GET path` answers (ListenBrainz's `listened_at`,
    /// Last.fm's `timestamp`, in seconds).
    #[track_caller]
    pub fn sim_times(&self, path: &str, list: &str, field: &str) -> Vec<i64> {
        let body = self.sim_get(path);
        body[list]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        item[field]
                            .as_i64()
                            .unwrap_or_else(|| panic!("no `{field}` in {item}"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn sim_post(&self, path: &str, body: Value) -> Value {
        self.sim_call("POST", path, Some(body))
    }

    #[track_caller]
    pub fn sim_delete(&self, path: &str) -> Value {
        self.sim_call("DELETE", path, None)
    }

    /// Creates a simulated user listening `plays_per_hour` on their own (0 for a user
    /// whose every play is injected), with `history_hours` of history already.
    #[track_caller]
    pub fn create_user(&self, id: &str, plays_per_hour: f64, history_hours: f64) -> Value {
        self.sim_post(
            "/admin/users",
            json!({
                "id": id,
                "display_name": format!("E2E {id}"),
                "email": format!("{id}@example.com"),
                "plays_per_hour": plays_per_hour,
                "history_hours": history_hours,
            }),
        )
    }

    /// Every play of the user that has ended, oldest first.
    #[track_caller]
    pub fn truth(&self, sim_user: &str) -> Vec<Play> {
        let plays = self.sim_get(&format!("/admin/users/{sim_user}/plays"));
        plays
            .as_array()
            .unwrap_or_else(|| panic!("truth is not an array: {plays}"))
            .iter()
            .map(Play::from_sim)
            .collect()
    }

    /// Injects `count` plays ending a second ago, at most `max_spacing_ms` apart and all
    /// after the user's newest play (Spotify's history only grows at its end, and a play
    /// before the archive's cursor is one the real service could never show).
    #[track_caller]
    pub fn inject(&self, sim_user: &str, count: usize, max_spacing_ms: i64) -> Vec<Play> {
        assert!(count > 0, "inject at least one play");
        let count_ms = count as i64;
        let (end, spacing) = self.wait_until(
            Duration::from_secs(10),
            &format!("there is room to inject {count} plays after {sim_user}'s newest"),
            || {
                // A user who listens on their own may just have ended a play: read the
                // history first, then place the injection between its end and now.
                let newest = self.truth(sim_user).last().map_or(0, |play| play.played_at);
                let end = now_ms() - 500;
                let spacing = max_spacing_ms.min((end - newest) / (count_ms + 1)).max(1);
                if end - spacing * (count_ms - 1) > newest {
                    Ok((end, spacing))
                } else {
                    Err(format!("newest play {newest}, now {}", end + 500))
                }
            },
        );
        let injected = self.sim_post(
            &format!("/admin/users/{sim_user}/plays"),
            json!({ "count": count, "ending_at_ms": end, "spacing_ms": spacing }),
        );
        injected
            .as_array()
            .unwrap_or_else(|| panic!("injection answer is not an array: {injected}"))
            .iter()
            .map(Play::from_sim)
            .collect()
    }

    #[track_caller]
    pub fn stats(&self, sim_user: &str) -> SimStats {
        let stats = self.sim_get(&format!("/admin/users/{sim_user}/stats"));
        serde_json::from_value(stats.clone())
            .unwrap_or_else(|error| panic!("unexpected stats {stats}: {error}"))
    }

    /// Installs a fault for one user (see the simulator's README).
    #[track_caller]
    pub fn fault(&self, sim_user: &str, spec: Value) -> Value {
        self.sim_post(&format!("/admin/users/{sim_user}/faults"), spec)
    }

    #[track_caller]
    pub fn clear_faults(&self, sim_user: &str) {
        self.sim_delete(&format!("/admin/users/{sim_user}/faults"));
    }

    // -- The Worker ----------------------------------------------------------------------

    /// A new browser with an empty cookie jar.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            stack: self,
            cookies: RefCell::new(BTreeMap::new()),
        }
    }

    /// A new browser, logged in as the simulator's `sim_user`.
    #[track_caller]
    pub fn login(&self, sim_user: &str) -> Browser<'_> {
        let browser = self.browser();
        browser.login(sim_user);
        browser
    }

    /// A new listener: the simulator's user `sim_user`, who plays only what a test
    /// injects, with `history` plays (at most a minute apart) before they log in over
    /// HTTP. Their backfill is queued by the login, not waited for.
    pub fn join(&self, sim_user: &str, history: usize) -> Member<'_> {
        self.create_user(sim_user, 0.0, 0.0);
        self.inject(sim_user, history, 60_000);
        let browser = self.login(sim_user);
        let user_id = browser.user_id();
        Member {
            sim_user: sim_user.to_owned(),
            user_id,
            browser,
        }
    }

    /// POST to an admin route with the cron secret.
    #[track_caller]
    pub fn admin(&self, path: &str, body: &str) -> Reply {
        self.http(
            "POST",
            &format!("{}{path}", self.worker_url),
            &[("Authorization", format!("Bearer {}", self.cron_secret))],
            Some(("application/json", body.to_owned())),
        )
    }

    /// GET an admin route with the cron secret (e.g. `/api/admin/dead-letters`).
    #[track_caller]
    pub fn admin_get(&self, path: &str) -> Reply {
        self.http(
            "GET",
            &format!("{}{path}", self.worker_url),
            &[("Authorization", format!("Bearer {}", self.cron_secret))],
            None,
        )
    }

    /// Queues a manual archive of one user (POST /api/admin/archive/{id}).
    #[track_caller]
    pub fn archive_now(&self, user_id: &str) -> Value {
        let reply = self.admin(&format!("/api/admin/archive/{user_id}"), "");
        if reply.status != 202 {
            self.fail(&format!(
                "manual archive of {user_id}: {} {}",
                reply.status, reply.body
            ));
        }
        reply.json()
    }

    /// Sends an archive job to the queue verbatim (POST /api/admin/jobs).
    #[track_caller]
    pub fn enqueue_job(&self, job: &Value) -> Value {
        let reply = self.admin("/api/admin/jobs", &job.to_string());
        if reply.status != 202 {
            self.fail(&format!("enqueue {job}: {} {}", reply.status, reply.body));
        }
        reply.json()
    }

    /// Scheduled polls are keyed per UTC minute (an "extra" poll in an hour owns
    /// `archive_{user}_{hour}_{minute}`), so two sweeps of one user in the same minute
    /// are the same poll by design. Runs `send_sweep` (which starts a sweep) in a later
    /// UTC minute than this stack's previous sweep, waiting for it if need be.
    pub fn in_a_new_sweep_minute<T>(&self, send_sweep: impl FnOnce() -> T) -> T {
        if let Some(minute) = self.last_sweep_minute.get() {
            let next_minute = (minute + 1) * MINUTE_MS + 200;
            let wait = next_minute - now_ms();
            if wait > 0 {
                eprintln!(
                    "e2e: waiting {:.1} s for a new minute before the next sweep",
                    wait as f64 / 1000.0
                );
                thread::sleep(Duration::from_millis(wait as u64));
            }
        }
        let sent = send_sweep();
        self.last_sweep_minute
            .set(Some(now_ms().div_euclid(MINUTE_MS)));
        sent
    }

    /// Fires the cron sweep through wrangler's test route, in a later UTC minute than
    /// the stack's previous sweep (scheduled polls are keyed per minute).
    #[track_caller]
    pub fn fire_cron(&self) {
        let reply = self.in_a_new_sweep_minute(|| {
            self.http("GET", &format!("{}{CRON_PATH}", self.worker_url), &[], None)
        });
        if reply.status != 200 {
            self.fail(&format!("firing the cron: {} {}", reply.status, reply.body));
        }
    }

    /// Runs a sweep through the admin route and returns its summary; like
    /// [`Stack::fire_cron`], in a later UTC minute than the stack's previous sweep.
    #[track_caller]
    pub fn sweep(&self) -> Value {
        let reply = self.in_a_new_sweep_minute(|| self.admin("/api/admin/sweep", ""));
        if reply.status != 200 {
            self.fail(&format!("admin sweep: {} {}", reply.status, reply.body));
        }
        reply.json()
    }

    /// Runs SQL on shard 0 (`ARCHIVE_DB`: the directory, and with one shard everything)
    /// while wrangler dev runs, and returns the rows of the last statement.
    #[track_caller]
    pub fn d1(&self, sql: &str) -> Vec<Value> {
        self.d1_in(0, sql)
    }

    /// Runs SQL on the D1 database of shard `shard` (its binding: [`shard_binding`]) while
    /// wrangler dev runs, and returns the rows of the last statement. (One wrangler
    /// process a call, about a second: ask for much at once.)
    #[track_caller]
    pub fn d1_in(&self, shard: usize, sql: &str) -> Vec<Value> {
        if shard >= self.shards {
            self.fail(&format!(
                "d1_in({shard}): the stack binds {} shard(s)",
                self.shards
            ));
        }
        let binding = shard_binding(shard);
        let persist = self.persist_dir().display().to_string();
        let config = self.config.display().to_string();
        let args = [
            "d1",
            "execute",
            &binding,
            "--local",
            "--persist-to",
            &persist,
            "-c",
            &config,
            "--json",
            "--command",
            sql,
        ];
        let mut last_error = String::new();
        for _ in 0..3 {
            match run_wrangler(&self.dir, &args) {
                Ok(stdout) => {
                    let parsed: Value =
                        serde_json::from_str(stdout.trim()).unwrap_or_else(|error| {
                            self.fail(&format!(
                                "d1 {binding} {sql:?}: not JSON ({error}): {stdout}"
                            ))
                        });
                    let last = parsed
                        .as_array()
                        .and_then(|results| results.last())
                        .cloned()
                        .unwrap_or(Value::Null);
                    if last["success"] != true {
                        self.fail(&format!("d1 {binding} {sql:?} did not succeed: {parsed}"));
                    }
                    return last["results"].as_array().cloned().unwrap_or_default();
                }
                Err(error) => {
                    last_error = error;
                    thread::sleep(Duration::from_millis(500));
                }
            }
        }
        self.fail(&format!(
            "d1 {binding} {sql:?} failed 3 times: {last_error}"
        ))
    }

    /// The directory: the shard of every filed user (shard 0's `user_shards`). With one
    /// shard, whatever the Worker files there (everyone is in shard 0 anyway).
    #[track_caller]
    pub fn user_shards(&self) -> BTreeMap<String, usize> {
        self.d1("SELECT user_id, shard FROM user_shards ORDER BY user_id")
            .into_iter()
            .map(|row| {
                let user = row["user_id"].as_str().map(str::to_owned);
                let shard = row["shard"].as_u64().and_then(|n| usize::try_from(n).ok());
                match (user, shard) {
                    (Some(user), Some(shard)) => (user, shard),
                    _ => self.fail(&format!("an odd user_shards row: {row}")),
                }
            })
            .collect()
    }

    /// The shard `user_id` lives in: 0 with one shard, else as the directory has it.
    #[track_caller]
    pub fn shard_of(&self, user_id: &str) -> usize {
        if self.shards == 1 {
            return 0;
        }
        let rows = self.d1(&format!(
            "SELECT shard FROM user_shards WHERE user_id = {}",
            sql_text(user_id)
        ));
        rows.first()
            .and_then(|row| row["shard"].as_u64())
            .and_then(|shard| usize::try_from(shard).ok())
            .unwrap_or_else(|| self.fail(&format!("{user_id} is not in user_shards: {rows:?}")))
    }

    /// Makes the user due now (`next_due_at = 0`), as if their interval had passed (in
    /// their shard).
    #[track_caller]
    pub fn make_due(&self, user_id: &str) {
        let id = sql_text(user_id);
        let rows = self.d1_in(
            self.shard_of(user_id),
            &format!(
                "UPDATE users SET next_due_at = 0 WHERE id = {id}; \
             SELECT next_due_at FROM users WHERE id = {id}"
            ),
        );
        assert_eq!(
            rows,
            vec![json!({ "next_due_at": 0 })],
            "make_due({user_id}) did not stick"
        );
    }

    /// The Worker's info lines (`{"event": …}`, `console.log`, on stdout) so far, in order;
    /// across restarts, every `wrangler dev` this stack ran, in order.
    pub fn worker_events(&self) -> Vec<Value> {
        self.worker_lines(0)
    }

    /// The Worker's warnings and errors (`console.warn`/`console.error`, on stderr) so
    /// far, in order: a failure's line, apart from the info lines' order.
    pub fn worker_errors(&self) -> Vec<Value> {
        self.worker_lines(1)
    }

    fn worker_lines(&self, stream: usize) -> Vec<Value> {
        /// The JSON object a line carries: wrangler may prefix the lines it relays
        /// (a level marker, colour codes), so from the first `{` to the last `}`.
        fn json_of_line(line: &str) -> Option<Value> {
            let object = line.get(line.find('{')?..=line.rfind('}')?)?;
            serde_json::from_str(object).ok()
        }

        self.worker_logs
            .borrow()
            .iter()
            .flat_map(|logs| {
                fs::read_to_string(&logs[stream])
                    .unwrap_or_default()
                    .lines()
                    .filter_map(json_of_line)
                    .filter(|event| event.get("event").is_some())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The outcomes (`archived`, `already_archived`, `failed`, …) the queue consumer
    /// logged for one user, in order.
    pub fn archive_outcomes(&self, user_id: &str) -> Vec<String> {
        self.worker_events()
            .into_iter()
            .filter(|event| event["event"] == "archive" && event["user"] == user_id)
            .filter_map(|event| event["outcome"].as_str().map(str::to_owned))
            .collect()
    }

    /// Asserts that the archive holds exactly the simulator's plays up to the last
    /// successful poll (`status` is the user's /api/status after it), with no duplicate
    /// and nothing the simulator did not play; returns the archive, newest first.
    #[track_caller]
    pub fn assert_archive_is_truth(
        &self,
        browser: &Browser<'_>,
        sim_user: &str,
        status: &Value,
    ) -> Vec<Play> {
        let cutoff = status["last_success_at"].as_i64().unwrap_or_else(|| {
            self.fail(&format!(
                "the user was never archived successfully: {status}"
            ))
        });
        let truth = self.truth(sim_user);
        let expected: Vec<Play> = truth
            .iter()
            .filter(|play| play.played_at <= cutoff)
            .cloned()
            .collect();
        self.assert_archive_is(browser, &expected, &truth)
    }

    /// Asserts that the archive holds every play of `expected`, nothing outside
    /// `allowed` (a superset: plays that may or may not have been seen yet) and no
    /// duplicate; returns the archive, newest first.
    #[track_caller]
    pub fn assert_archive_is(
        &self,
        browser: &Browser<'_>,
        expected: &[Play],
        allowed: &[Play],
    ) -> Vec<Play> {
        let archive = browser.plays();
        let twice = duplicates(&archive);
        let archived: BTreeSet<&Play> = archive.iter().collect();
        let allowed: BTreeSet<&Play> = allowed.iter().chain(expected).collect();
        let missing: Vec<&Play> = expected
            .iter()
            .filter(|play| !archived.contains(play))
            .collect();
        let extra: Vec<&Play> = archive
            .iter()
            .filter(|play| !allowed.contains(play))
            .collect();
        if !(twice.is_empty() && missing.is_empty() && extra.is_empty()) {
            self.fail(&format!(
                "the archive ({} plays) is not the simulator's history ({} expected):\n  \
                 missing {}: {}\n  not played {}: {}\n  duplicated {}: {}",
                archive.len(),
                expected.len(),
                missing.len(),
                describe(&missing),
                extra.len(),
                describe(&extra),
                twice.len(),
                describe(&twice.iter().collect::<Vec<_>>()),
            ));
        }
        archive
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(mut wrangler) = self.wrangler.take() {
            wrangler.stop();
        }
        if let Some(mut sim) = self.sim.take() {
            sim.stop();
        }
        if std::env::var_os("E2E_KEEP_STATE").is_some() {
            eprintln!("e2e: kept the stack's state in {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Asserts that a user's last poll succeeded and left nothing to recover from: no
/// failure counted, no cooldown, still active.
#[track_caller]
pub fn assert_success(status: &Value) {
    assert_eq!(status["consecutive_failures"], 0, "{status}");
    assert!(status["cooldown_until"].is_null(), "{status}");
    assert_eq!(status["is_active"], 1, "{status}");
    assert_eq!(
        status["last_success_at"], status["last_polled_at"],
        "the last poll did not succeed: {status}"
    );
}

/// A status's instant in Unix ms, which must be set.
#[track_caller]
pub fn millis(status: &Value, field: &str) -> i64 {
    status[field]
        .as_i64()
        .unwrap_or_else(|| panic!("{field} is not set: {status}"))
}

/// A SQL string literal.
pub fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

// ---------------------------------------------------------------------------------------
// Browsers

/// A browser: a cookie jar on the Worker's origin (every cookie is sent on every request;
/// the Worker's cookie paths only narrow where a real browser would send them).
/// A listener logged in over HTTP ([`Stack::join`]).
pub struct Member<'s> {
    /// The simulator's name for them.
    pub sim_user: String,
    /// The Worker's id for them.
    pub user_id: String,
    /// Their browser, holding their session.
    pub browser: Browser<'s>,
}

pub struct Browser<'s> {
    stack: &'s Stack,
    cookies: RefCell<BTreeMap<String, String>>,
}

impl Browser<'_> {
    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.stack.worker_url)
        }
    }

    fn cookie_header(&self) -> Vec<(&'static str, String)> {
        let cookies = self.cookies.borrow();
        if cookies.is_empty() {
            return Vec::new();
        }
        let header = cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        vec![("Cookie", header)]
    }

    fn absorb(&self, reply: &Reply) {
        let mut cookies = self.cookies.borrow_mut();
        for (name, value) in &reply.headers {
            if !name.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let mut parts = value.split(';').map(str::trim);
            let Some((cookie, content)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let expired = parts.any(|attribute| attribute.eq_ignore_ascii_case("max-age=0"));
            if expired || content.is_empty() {
                cookies.remove(cookie);
            } else {
                cookies.insert(cookie.to_owned(), content.to_owned());
            }
        }
    }

    /// A cookie the browser holds.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.borrow().get(name).cloned()
    }

    #[track_caller]
    pub fn get(&self, path_or_url: &str) -> Reply {
        let reply = self
            .stack
            .http("GET", &self.url(path_or_url), &self.cookie_header(), None);
        self.absorb(&reply);
        reply
    }

    #[track_caller]
    pub fn post(&self, path: &str, body: &str) -> Reply {
        let mut headers = self.cookie_header();
        headers.push(("Origin", self.stack.worker_url.clone()));
        let reply = self.stack.http(
            "POST",
            &self.url(path),
            &headers,
            Some(("application/x-www-form-urlencoded", body.to_owned())),
        );
        self.absorb(&reply);
        reply
    }

    /// The whole login: /login, the simulator's consent (approved as `sim_user`), the
    /// callback. Leaves the browser with a session.
    #[track_caller]
    pub fn login(&self, sim_user: &str) {
        let stack = self.stack;
        let start = self.get("/login");
        let authorize = match (start.status, start.header("Location")) {
            (302, Some(location)) => location.to_owned(),
            _ => stack.fail(&format!("GET /login: {} {}", start.status, start.body)),
        };
        let prefix = format!("{}/authorize?", stack.sim_url);
        let Some(query) = authorize.strip_prefix(&prefix) else {
            stack.fail(&format!(
                "/login redirected to {authorize}, not to {prefix}…"
            ));
        };
        let decision = stack.http(
            "POST",
            &format!("{}/authorize/decision", stack.sim_url),
            &[],
            Some((
                "application/x-www-form-urlencoded",
                format!("{query}&user={sim_user}&decision=approve"),
            )),
        );
        let callback = match (decision.status, decision.header("Location")) {
            (302, Some(location)) => location.to_owned(),
            _ => stack.fail(&format!(
                "the simulator's consent: {} {}",
                decision.status, decision.body
            )),
        };
        if !callback.starts_with(&format!("{}/callback?", stack.worker_url)) {
            stack.fail(&format!("consent redirected to {callback}"));
        }
        let done = self.get(&callback);
        if done.status != 302 || done.header("Location") != Some("/") {
            stack.fail(&format!(
                "GET /callback: {} {:?} {}",
                done.status,
                done.header("Location"),
                done.body
            ));
        }
        if self.cookie("stm_session").is_none() {
            stack.fail(&format!(
                "the callback set no session cookie: {:?}",
                done.headers
            ));
        }
    }

    /// /api/status, or `None` when not logged in.
    #[track_caller]
    pub fn try_status(&self) -> Option<Value> {
        let reply = self.get("/api/status");
        match reply.status {
            200 => Some(reply.json()),
            401 => None,
            _ => self
                .stack
                .fail(&format!("GET /api/status: {} {}", reply.status, reply.body)),
        }
    }

    #[track_caller]
    pub fn status(&self) -> Value {
        self.try_status()
            .unwrap_or_else(|| self.stack.fail("GET /api/status: not logged in"))
    }

    /// The archive id of the logged-in user.
    #[track_caller]
    pub fn user_id(&self) -> String {
        self.status()["id"]
            .as_str()
            .unwrap_or_else(|| self.stack.fail("/api/status has no id"))
            .to_owned()
    }

    /// Waits until the user's `last_polled_at` differs from `previous` (an archive ran,
    /// successfully or not) and returns the new status.
    #[track_caller]
    pub fn wait_for_poll(&self, previous: &Value, timeout: Duration) -> Value {
        let before = previous["last_polled_at"].clone();
        self.stack.wait_until(
            timeout,
            &format!("the user is polled again (last_polled_at was {before})"),
            || {
                let status = self.status();
                if !status["last_polled_at"].is_null() && status["last_polled_at"] != before {
                    Ok(status)
                } else {
                    Err(status)
                }
            },
        )
    }

    /// Every archived play, newest first, through the keyset pagination of /api/plays
    /// (`next_before`, and `next_before_id` where the Worker gives one).
    #[track_caller]
    pub fn plays(&self) -> Vec<Play> {
        let mut plays = Vec::new();
        let mut cursor: Option<(i64, Option<i64>)> = None;
        loop {
            let path = match cursor {
                Some((before, Some(id))) => {
                    format!("/api/plays?limit=200&before={before}&before_id={id}")
                }
                Some((before, None)) => format!("/api/plays?limit=200&before={before}"),
                None => "/api/plays?limit=200".to_owned(),
            };
            let reply = self.get(&path);
            if reply.status != 200 {
                self.stack
                    .fail(&format!("GET {path}: {} {}", reply.status, reply.body));
            }
            let page = reply.json();
            let items = page["plays"]
                .as_array()
                .unwrap_or_else(|| self.stack.fail(&format!("GET {path}: {page}")));
            let page_plays: Vec<Play> = items.iter().map(Play::from_archive).collect();
            if page_plays
                .windows(2)
                .any(|pair| pair[0].played_at < pair[1].played_at)
            {
                self.stack
                    .fail(&format!("GET {path} is not newest first: {page}"));
            }
            plays.extend(page_plays);
            match page["next_before"].as_i64() {
                Some(next) => {
                    let next = (next, page["next_before_id"].as_i64());
                    if cursor == Some(next) || items.is_empty() {
                        self.stack
                            .fail(&format!("GET {path}: the next page is this one ({page})"));
                    }
                    cursor = Some(next);
                }
                None => return plays,
            }
        }
    }

    /// /api/gaps.
    #[track_caller]
    pub fn gaps(&self) -> Vec<Value> {
        let reply = self.get("/api/gaps");
        if reply.status != 200 {
            self.stack
                .fail(&format!("GET /api/gaps: {} {}", reply.status, reply.body));
        }
        reply.json()["gaps"].as_array().cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names miniflare 4 gave the databases of a real `wrangler d1 migrations apply`
    /// (its `durableObjectNamespaceIdFromName`).
    #[test]
    fn d1_files_are_named_as_miniflare_names_them() {
        assert_eq!(
            d1_object_name("00000000-0000-0000-0000-000000000000"),
            "9ba2b04bf514d9facfd57ed57d849e77241a7adc99d1c1545d06688b43d84248"
        );
        assert_eq!(
            d1_object_name("00000000-0000-0000-0000-000000000001"),
            "a36f84ea60804f30bb0c7f7cad9f5336a6cca0165abdab8b9241d93dbf0b6006"
        );
    }

    #[test]
    fn other_databases_of_wrangler_toml_give_way_to_the_stacks_shards() {
        let config = "name = \"x\"\n[[d1_databases]]\nbinding = \"ARCHIVE_DB\"\n\
                      database_name = \"a\"\ndatabase_id = \"id-a\" # a comment\n\n\
                      [[d1_databases]]\nbinding = \"ARCHIVE_DB_1\"\ndatabase_name = \"b\"\n\
                      database_id = \"id-b\"\n[vars]\nA = \"1\"\n";
        let kept: Vec<bool> = toml_tables(config)
            .iter()
            .map(|table| !is_other_database(table))
            .collect();
        assert_eq!(kept, [true, true, false, true]);
        let archive = archive_database(config);
        assert_eq!(
            (archive.name, archive.id, archive.migrations_dir),
            ("a".to_owned(), "id-a".to_owned(), "migrations".to_owned())
        );
    }

    #[test]
    fn a_stacks_workers_are_named_its_own() {
        let config = with_worker_name(&derived_config(1), "stm-e2e-0a1b");
        let names: Vec<String> = config
            .lines()
            .filter_map(|line| toml_string(line, "name"))
            .collect();
        assert_eq!(names, ["stm-e2e-0a1b"], "{config}");
        assert!(config.contains("database_name = "), "{config}");
    }

    #[test]
    fn the_derived_config_binds_one_database_per_shard() {
        let one = derived_config(1);
        assert!(!one.contains("[build]"), "{one}");
        assert!(!one.contains("binding = \"ARCHIVE_DB_1\""), "{one}");
        let three = derived_config(3);
        let archive = archive_database(&three);
        assert_eq!(archive.id, shard_database(0).id);
        assert!(Path::new(&archive.migrations_dir).is_absolute(), "{three}");
        let ids: BTreeSet<String> = (0..3).map(|shard| shard_database(shard).id).collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        for shard in 1..3 {
            let database = shard_database(shard);
            assert!(
                three.contains(&format!("binding = \"ARCHIVE_DB_{shard}\"")),
                "{three}"
            );
            assert!(three.contains(&format!("database_id = \"{}\"", database.id)));
            assert!(three.contains(&format!("database_name = \"{}\"", database.name)));
        }
        assert_eq!(three.matches("[[d1_databases]]").count(), 3, "{three}");
        assert_eq!(
            three
                .matches(&format!("migrations_dir = \"{}\"", archive.migrations_dir))
                .count(),
            3,
            "{three}"
        );
    }
}
