//! scripts/deploy against a stand-in wrangler: the first deployment creates every resource,
//! secret and Worker (four of them, the front last), a second run changes nothing, shards
//! can be added but never removed, a secret the Workers must share is never guessed, and a
//! failing wrangler call stops the deploy. The stand-in, first on PATH, keeps a fake
//! Cloudflare account in a temporary directory and answers as wrangler 4.86 does; nothing
//! here reaches the network or writes into the working tree.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

/// The stand-in wrangler (bash, so that each call costs milliseconds). It answers as
/// wrangler 4.86 does, after its source: `d1 list --json` and `kv namespace list` print
/// JSON, `queues list` a box-drawn table (three queues to a page here, so that the script
/// has to turn pages), `d1 create` and `kv namespace create` a config snippet with the new
/// id, `secret list` an error for a Worker never deployed, `deploy` its targets; and it
/// fails, as wrangler does, to migrate or deploy a config whose resources do not exist.
const FAKE_WRANGLER: &str = r##"#!/usr/bin/env bash
# A stand-in for wrangler 4.86, written by tests/deploy_script.rs. The fake Cloudflare
# account is a directory ($FAKE_CF_DIR): d1/<name> and kv/<title> and queues/<name> hold
# ids, migrations/<database id>/ the migrations applied, workers/<worker>/ a Worker that
# exists, with secrets/<name> its secrets' values (Cloudflare keeps them; the call log
# never does) and deployed.toml its last deployed config. Every call is logged as a JSON line
# in calls.jsonl; the call that starts with $FAKE_WRANGLER_FAIL fails.
set -euo pipefail
cf=$FAKE_CF_DIR
[[ -d $cf/d1 ]] || mkdir -p "$cf/d1" "$cf/kv" "$cf/queues" "$cf/migrations"
args=("$@")
extra=""  # more fields for the log line

json() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
log() {
  local words=() arg
  for arg in "${args[@]}"; do words+=("$(json "$arg")"); done
  local IFS=,
  printf '{"argv":[%s]%s}\n' "${words[*]}" "$extra" >>"$cf/calls.jsonl"
}
fail() {
  extra+=',"failed":true'
  log
  printf '\n\xe2\x9c\x98 [ERROR] %s\n\n' "$1" >&2
  exit 1
}
banner() { printf '\n \xe2\x9b\x85\xef\xb8\x8f wrangler 4.86.0\n%s\n' "────────────────────"; }
new_id() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
option() {
  local i
  for ((i = 0; i < ${#args[@]} - 1; i++)); do
    [[ ${args[i]} == "$1" ]] && { printf '%s' "${args[i + 1]}"; return; }
  done
  return 0
}
# The values of keys $2... in each table named $1 of the config ("" for the top level), one
# table a line, separated by |. Paths in it are read from the config's directory, as wrangler does.
tables() {
  local kind=$1
  shift
  awk -v kind="$kind" -v keys="$*" '
    function flush() {
      if (inside) { line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? "|" : "") value[k[i]]; print line }
      split("", value)
    }
    BEGIN { n = split(keys, k, " "); inside = (kind == "") }
    /^[ \t]*\[/ { flush(); name = $0; gsub(/[][ \t]/, "", name); inside = (name == kind); next }
    inside && /^[ \t]*[A-Za-z0-9_]+[ \t]*=[ \t]*"/ {
      key = $0; sub(/[ \t]*=.*/, "", key); gsub(/[ \t]/, "", key)
      val = $0; sub(/^[^"]*"/, "", val); sub(/".*/, "", val); value[key] = val
    }
    END { flush() }' "$(option -c)"
}
resolve() {
  local config
  config=$(option -c)
  [[ $1 == /* ]] && printf '%s' "$1" || printf '%s/%s' "${config%/*}" "$1"
}
# A box-drawn table as cli-table3 draws it: a header row, then each row ($1 the columns).
table() {
  local rows=("$@") widths=() i cells cell line
  IFS='|' read -ra cells <<<"${rows[0]}"
  for i in "${!cells[@]}"; do widths[i]=0; done
  for line in "${rows[@]}"; do
    IFS='|' read -ra cells <<<"$line"
    for i in "${!cells[@]}"; do ((${#cells[i]} + 2 > widths[i])) && widths[i]=$((${#cells[i]} + 2)); done
  done
  rule() {
    local out=$1 i line
    for i in "${!widths[@]}"; do
      ((i > 0)) && out+=$2
      printf -v line '%*s' "${widths[i]}" ""
      out+=${line// /─}
    done
    printf '%s%s\n' "$out" "$3"
  }
  rule ┌ ┬ ┐
  local first=1
  for line in "${rows[@]}"; do
    ((first)) || rule ├ ┼ ┤
    first=0
    IFS='|' read -ra cells <<<"$line"
    out=│
    for i in "${!widths[@]}"; do out+=$(printf ' %-*s│' $((widths[i] - 1)) "${cells[i]:-}"); done
    printf '%s\n' "$out"
  done
  rule └ ┴ ┘
}

if [[ -n ${FAKE_WRANGLER_FAIL:-} && "${args[*]}" == "$FAKE_WRANGLER_FAIL"* ]]; then
  fail "A request to the Cloudflare API failed. (the stand-in was told to fail this call)"
fi
# The command's words, without the options and their values.
words=()
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    -c | --page | --format) i=$((i + 1)) ;;
    -*) ;;
    *) words+=("${args[i]}") ;;
  esac
done

case "${words[*]}" in
  whoami)
    printf '{\n  "loggedIn": true,\n  "authType": "OAuth Token",\n  "email": "op@example.com",\n  "accounts": [{ "id": "0a1b", "name": "Ops" }]\n}\n'
    ;;
  "d1 list")
    printf '['
    sep=""
    for db in "$cf"/d1/*; do
      [[ -e $db ]] || continue
      printf '%s\n  {\n    "uuid": "%s",\n    "name": "%s",\n    "created_at": "2026-11-30T12:00:00.000Z",\n    "version": "production",\n    "num_tables": 0,\n    "file_size": 12288\n  }' \
        "$sep" "$(<"$db")" "${db##*/}"
      sep=,
    done
    printf '\n]\n'
    ;;
  "d1 create "*)
    name=${words[2]}
    [[ -e $cf/d1/$name ]] && fail "A database with that name already exists [code: 7502]"
    uuid=$(</proc/sys/kernel/random/uuid)
    printf '%s' "$uuid" >"$cf/d1/$name"
    banner
    printf "✅ Successfully created DB '%s' in region WEUR\nCreated your new D1 database.\n\n" "$name"
    printf 'To access your new D1 Database in your Worker, add the following snippet to your configuration file:\n'
    printf '[[d1_databases]]\nbinding = "%s"\ndatabase_name = "%s"\ndatabase_id = "%s"\n' "${name//-/_}" "$name" "$uuid"
    ;;
  "kv namespace list")
    printf '['
    sep=""
    for ns in "$cf"/kv/*; do
      [[ -e $ns ]] || continue
      printf '%s\n  {\n    "id": "%s",\n    "title": "%s",\n    "supports_url_encoding": true\n  }' "$sep" "$(<"$ns")" "${ns##*/}"
      sep=,
    done
    printf '\n]\n'
    ;;
  "kv namespace create "*)
    title=${words[3]}
    [[ -e $cf/kv/$title ]] && fail "A KV namespace with the title \"$title\" already exists."
    id=$(new_id)
    printf '%s' "$id" >"$cf/kv/$title"
    banner
    printf 'Resource location: remote \n\n🌀 Creating namespace with title "%s"\n✨ Success!\n' "$title"
    printf 'To access your new KV Namespace in your Worker, add the following snippet to your configuration file:\n'
    printf '[[kv_namespaces]]\nbinding = "%s"\nid = "%s"\n' "$title" "$id"
    ;;
  "queues list")
    # Three to a page, so that the deploy script has to turn pages.
    page=$(option --page)
    page=${page:-1}
    queues=("$cf"/queues/*)
    [[ -e ${queues[0]} ]] || queues=()
    rows=("id|name|created_on|modified_on|producers|consumers")
    for queue in "${queues[@]:$(((page - 1) * 3)):3}"; do
      rows+=("$(<"$queue")|${queue##*/}|2026-11-30T12:00:00.000Z|2026-11-30T12:00:00.000Z|0|0")
    done
    banner
    ((${#rows[@]} > 1)) && table "${rows[@]}"
    ;;
  "queues create "*)
    name=${words[2]}
    [[ -e $cf/queues/$name ]] && fail "Queue name already taken [code: 11009]"
    new_id >"$cf/queues/$name"
    banner
    printf "🌀 Creating queue '%s'\n✅ Created queue '%s'\n" "$name" "$name"
    ;;
  "d1 migrations apply "*)
    db=${words[3]}
    found=""
    while IFS='|' read -r binding name id dir; do
      if [[ $name == "$db" || $binding == "$db" ]]; then found=1 && break; fi
    done < <(tables d1_databases binding database_name database_id migrations_dir)
    [[ -n $found ]] || fail "Couldn't find a D1 DB with the name or binding '$db' in your wrangler.toml file."
    [[ -n $id && -e $cf/d1/$name && "$(<"$cf/d1/$name")" == "$id" ]] || fail "Couldn't find DB with id $id [code: 7404]"
    folder=$(resolve "${dir:-migrations}")
    [[ -d $folder ]] || fail "No migrations folder found at $folder."
    applied=$cf/migrations/$id
    mkdir -p "$applied"
    pending=()
    for file in "$folder"/*.sql; do [[ -e $applied/${file##*/} ]] || pending+=("${file##*/}"); done
    banner
    printf 'Resource location: remote \n\n'
    if ((${#pending[@]} == 0)); then
      printf '✅ No migrations to apply!\n'
    else
      printf 'Migrations to be applied:\n'
      table name "${pending[@]}"
      for file in "${pending[@]}"; do touch "$applied/$file"; done
      printf '🌀 Executing on remote database %s (%s):\n' "$name" "$id"
    fi
    ;;
  "secret list")
    worker=$(tables "" name)
    if [[ ! -d $cf/workers/$worker ]]; then
      fail "Worker \"$worker\" not found.

If this is a new Worker, run \`wrangler deploy\` first to create it."
    fi
    printf '['
    sep=""
    for secret in "$cf/workers/$worker"/secrets/*; do
      [[ -e $secret ]] || continue
      printf '%s\n  {\n    "name": "%s",\n    "type": "secret_text"\n  }' "$sep" "${secret##*/}"
      sep=,
    done
    printf '\n]\n'
    ;;
  "secret put "*)
    name=${words[2]}
    worker=$(tables "" name)
    value=$(cat)
    [[ -n $value ]] && extra+=",\"secret\":{\"name\":\"$name\",\"non_empty\":true}" ||
      extra+=",\"secret\":{\"name\":\"$name\",\"non_empty\":false}"
    banner
    if [[ ! -d $cf/workers/$worker ]]; then
      printf '? There doesn'"'"'t seem to be a Worker called "%s". Do you want to create a new Worker with that name and add secrets to it?\n' "$worker"
      printf '🤖 Using fallback value in non-interactive context: yes\n🌀 Creating new Worker "%s"...\n' "$worker"
    fi
    mkdir -p "$cf/workers/$worker/secrets"
    printf '%s' "$value" >"$cf/workers/$worker/secrets/$name"
    printf '🌀 Creating the secret for the Worker "%s" \n✨ Success! Uploaded secret %s\n' "$worker" "$name"
    ;;
  deploy)
    # As wrangler does: every bound resource must exist.
    while IFS='|' read -r binding name id; do
      [[ -n $id && -e $cf/d1/$name && "$(<"$cf/d1/$name")" == "$id" ]] ||
        fail "binding $binding: D1 database $id ($name) not found [code: 10181]"
    done < <(tables d1_databases binding database_name database_id)
    while IFS='|' read -r binding id; do
      grep -qx -- "$id" "$cf"/kv/* 2>/dev/null || fail "KV namespace '$id' is not valid. [code: 10041]"
    done < <(tables kv_namespaces binding id)
    while read -r queue; do
      [[ -e $cf/queues/$queue ]] || fail "Queue \"$queue\" does not exist. To create it, run: wrangler queues create $queue"
    done < <(tables queues.producers queue; tables queues.consumers queue)
    # A service binding's Worker must exist.
    while IFS='|' read -r binding service; do
      [[ -d $cf/workers/$service ]] ||
        fail "Could not resolve service binding '$binding'. Target script '$service' not found. [code: 10143]"
    done < <(tables services binding service)
    worker=$(tables "" name)
    mkdir -p "$cf/workers/$worker/secrets"
    cp "$(option -c)" "$cf/workers/$worker/deployed.toml"
    extra+=",\"main\":$(json "$(resolve "$(tables "" main)")")"
    banner
    printf 'Total Upload: 2309.16 KiB / gzip: 285.65 KiB\nUploaded %s (1.23 sec)\nDeployed %s triggers (0.45 sec)\n' "$worker" "$worker"
    grep -q '^workers_dev = false' "$(option -c)" || printf '  https://%s.ops-team.workers.dev\n' "$worker"
    printf '  schedule: */5 * * * *\nCurrent Version ID: %s\n' "$(</proc/sys/kernel/random/uuid)"
    ;;
  *)
    fail "the stand-in does not know: wrangler ${args[*]}"
    ;;
esac
log
"##;

/// Every variable the script reads, so that the test's own environment cannot leak in.
const SCRIPT_VARIABLES: &[&str] = &[
    "SPOTIFY_CLIENT_ID",
    "SPOTIFY_CLIENT_SECRET",
    "OPERATOR_ALERT_URL",
    "OPERATOR_ALERT_SECRET",
    "TOKEN_ENCRYPTION_KEY",
    "CRON_SECRET",
    "DEPLOY_STATE_DIR",
    "FAKE_WRANGLER_FAIL",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_ACCOUNT_ID",
];

const SHARDS: [&str; 3] = [
    "spotify-time-machine",
    "spotify-time-machine-1",
    "spotify-time-machine-2",
];

const QUEUES: [&str; 4] = [
    "stm-archive",
    "stm-archive-dlq",
    "stm-notify",
    "stm-notify-dlq",
];

const SPOTIFY: [(&str, &str); 2] = [
    ("SPOTIFY_CLIENT_ID", "client-id-from-the-environment"),
    (
        "SPOTIFY_CLIENT_SECRET",
        "client-secret-from-the-environment",
    ),
];

/// The URL the stand-in's deploy reports.
const WORKER_URL: &str = "https://spotify-time-machine.ops-team.workers.dev";

/// The deployment's Workers, as scripts/workers.mjs names them: the front, then the parts
/// it binds and the queues' consumer.
const WORKERS: [(&str, &str); 4] = [
    ("front", "spotify-time-machine"),
    ("review", "spotify-time-machine-review"),
    ("history", "spotify-time-machine-history"),
    ("background", "spotify-time-machine-background"),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fake Cloudflare account, the stand-in wrangler and the script's state directory, in a
/// temporary directory of their own (removed on drop).
struct World {
    dir: PathBuf,
}

impl World {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("deploy-script-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::create_dir_all(dir.join("cloudflare")).unwrap();
        let wrangler = dir.join("bin/wrangler");
        fs::write(&wrangler, FAKE_WRANGLER).unwrap();
        fs::set_permissions(&wrangler, fs::Permissions::from_mode(0o755)).unwrap();
        World { dir }
    }

    fn deploy(&self, args: &[&str]) -> Run {
        self.deploy_with(args, &[])
    }

    /// Runs scripts/deploy in the repository, its state kept here, the stand-in first on PATH.
    fn deploy_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let calls_before = self.calls().len();
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        let mut command = Command::new(repo().join("scripts/deploy"));
        for name in SCRIPT_VARIABLES {
            command.env_remove(name);
        }
        let output = command
            .args(args)
            .env("PATH", path)
            .env("DEPLOY_STATE_DIR", self.state_dir())
            .env("FAKE_CF_DIR", self.cloudflare())
            .envs(env.iter().copied())
            .output()
            .expect("scripts/deploy runs");
        Run {
            status: output.status,
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            calls: self.calls().split_off(calls_before),
            deployed: self.deployed(WORKERS[0].1),
        }
    }

    fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    fn cloudflare(&self) -> PathBuf {
        self.dir.join("cloudflare")
    }

    /// Every wrangler call so far, as the stand-in logged it.
    fn calls(&self) -> Vec<Value> {
        let log = fs::read_to_string(self.cloudflare().join("calls.jsonl")).unwrap_or_default();
        log.lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// A file of the fake account: the id of `d1/<name>`, `kv/<title>`, or a secret's value.
    fn remote(&self, path: &str) -> String {
        let file = self.cloudflare().join(path);
        fs::read_to_string(&file).unwrap_or_else(|_| panic!("no {}", file.display()))
    }

    /// The migrations applied to a database, in order.
    fn migrations_applied(&self, database: &str) -> Vec<String> {
        let applied = self
            .cloudflare()
            .join("migrations")
            .join(self.remote(&format!("d1/{database}")));
        sorted_names(&applied)
    }

    /// The front's secrets.
    fn secrets(&self) -> BTreeMap<String, String> {
        self.secrets_of(WORKERS[0].1)
    }

    fn secrets_of(&self, worker: &str) -> BTreeMap<String, String> {
        let dir = format!("workers/{worker}/secrets");
        let names = sorted_names(&self.cloudflare().join(&dir));
        let with_value = |name: String| {
            let value = self.remote(&format!("{dir}/{name}"));
            (name, value)
        };
        names.into_iter().map(with_value).collect()
    }

    /// The config the account last received for `worker` (empty if none).
    fn deployed(&self, worker: &str) -> String {
        let path = self
            .cloudflare()
            .join(format!("workers/{worker}/deployed.toml"));
        fs::read_to_string(path).unwrap_or_default()
    }

    /// The generated configs and the state file, to compare between runs.
    fn local_files(&self) -> Vec<String> {
        let read = |name: &str| fs::read_to_string(self.state_dir().join(name)).unwrap();
        let configs = WORKERS.map(|(part, _)| read(&format!("{part}.toml")));
        configs.into_iter().chain([read("state.json")]).collect()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// One run of scripts/deploy: how it ended, what it printed, the wrangler calls it made,
/// and the front's config as the account last received it (by this run or an earlier one).
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    calls: Vec<Value>,
    deployed: String,
}

impl Run {
    fn assert_success(&self) {
        assert!(self.status.success(), "scripts/deploy failed: {self}");
    }

    /// Each call's arguments, a generated config's path written as its Worker: `<front>`.
    fn commands(&self) -> Vec<String> {
        let command = |call: &Value| {
            let argv = call["argv"].as_array().unwrap().iter();
            let words: Vec<&str> = argv.map(|word| word.as_str().unwrap()).collect();
            let mut line = words.join(" ");
            if let Some(at) = words.iter().position(|word| *word == "-c") {
                let worker = Path::new(words[at + 1]).file_stem().unwrap();
                line = line.replace(words[at + 1], &format!("<{}>", worker.to_str().unwrap()));
            }
            line
        };
        self.calls.iter().map(command).collect()
    }

    /// The calls that change the account: creating, setting a secret, migrating, deploying.
    fn changes(&self) -> Vec<String> {
        let reads = [
            "whoami",
            "d1 list",
            "kv namespace list",
            "queues list",
            "secret list",
        ];
        let commands = self.commands().into_iter();
        commands
            .filter(|command| !reads.iter().any(|read| command.starts_with(read)))
            .collect()
    }

    fn created(&self) -> Vec<String> {
        let commands = self.commands().into_iter();
        commands
            .filter(|command| command.contains(" create "))
            .collect()
    }

    /// The secrets set, each with whether a value came on stdin.
    fn secrets_put(&self) -> Vec<(String, bool)> {
        let puts = self.calls.iter().filter_map(|call| call.get("secret"));
        puts.map(|put| {
            (
                put["name"].as_str().unwrap().to_owned(),
                put["non_empty"] == true,
            )
        })
        .collect()
    }

    /// `main` of this run's last deploy, resolved as wrangler resolves it.
    fn deployed_main(&self) -> PathBuf {
        let deploy = self
            .calls
            .iter()
            .rev()
            .find(|call| call["argv"][0] == "deploy");
        PathBuf::from(
            deploy.unwrap_or_else(|| panic!("no deploy: {self}"))["main"]
                .as_str()
                .unwrap(),
        )
    }

    /// The deployed D1 bindings in order: [binding, database_name, database_id, migrations_dir].
    fn deployed_databases(&self) -> Vec<[String; 4]> {
        let keys = ["binding", "database_name", "database_id", "migrations_dir"];
        let d1 = tables(&self.deployed)
            .into_iter()
            .filter(|(name, _)| name == "d1_databases");
        d1.map(|(_, table)| keys.map(|key| table[key].clone()))
            .collect()
    }

    fn deployed_bindings(&self) -> Vec<String> {
        self.deployed_databases()
            .into_iter()
            .map(|[binding, ..]| binding)
            .collect()
    }

    /// A string value of the first table of that name in the deployed config.
    fn deployed_value(&self, table: &str, key: &str) -> String {
        let tables = tables(&self.deployed);
        let found = tables.iter().find(|(name, _)| name == table);
        found
            .and_then(|(_, values)| values.get(key))
            .cloned()
            .unwrap_or_default()
    }

    fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let commands = self.commands().join("\n  ");
        write!(
            f,
            "{}\n--- stdout\n{}--- stderr\n{}--- calls\n  {commands}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// A TOML file's tables in order (the top level first, named ""), each with its string
/// values: enough for the configs here, whose values all fit on one line.
fn tables(text: &str) -> Vec<(String, HashMap<String, String>)> {
    let mut tables = vec![(String::new(), HashMap::new())];
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            let name = line.trim_matches(|c| c == '[' || c == ']');
            tables.push((name.to_owned(), HashMap::new()));
        } else if let Some((key, value)) = line.split_once('=') {
            let string = value
                .trim()
                .strip_prefix('"')
                .and_then(|rest| rest.split_once('"'));
            if let Some((string, _)) = string {
                tables
                    .last_mut()
                    .unwrap()
                    .1
                    .insert(key.trim().to_owned(), string.to_owned());
            }
        }
    }
    tables
}

fn sorted_names(dir: &Path) -> Vec<String> {
    let entries = fs::read_dir(dir).unwrap_or_else(|_| panic!("no {}", dir.display()));
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// The repository's migrations, which every shard must have applied.
fn migrations() -> Vec<String> {
    let mut names = sorted_names(&repo().join("migrations"));
    names.retain(|name| name.ends_with(".sql"));
    names
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

fn migrate(shard: &str) -> String {
    format!("d1 migrations apply {shard} --remote -c <front>")
}

/// The deploy of every Worker, the front last (it binds the others).
fn deploys() -> Vec<String> {
    let order = WORKERS.iter().rev();
    order
        .map(|(part, _)| format!("deploy -c <{part}>"))
        .collect()
}

fn committed_config() -> String {
    fs::read_to_string(repo().join("wrangler.toml")).unwrap()
}

/// Every call of a first deployment with three shards and the Spotify credentials given.
fn first_deployment() -> Vec<String> {
    let mut calls = strings(&["whoami --json", "d1 list --json"]);
    calls.extend(SHARDS.map(|shard| format!("d1 create {shard}")));
    calls.extend(strings(&[
        "kv namespace list",
        "kv namespace create IDEMPOTENCY_KV",
    ]));
    calls.push("queues list --page 1".into());
    calls.extend(QUEUES.map(|queue| format!("queues create {queue}")));
    calls.extend(SHARDS.map(migrate));
    let every = WORKERS.map(|(part, _)| part);
    calls.extend(every.map(|part| format!("secret list --format json -c <{part}>")));
    // Every secret on every Worker, but the admin API's, the front's alone.
    let secrets = [
        ("TOKEN_ENCRYPTION_KEY", &every[..]),
        ("CRON_SECRET", &every[..1]),
    ]
    .into_iter()
    .chain(SPOTIFY.map(|(name, _)| (name, &every[..])));
    for (secret, parts) in secrets {
        calls.extend(
            parts
                .iter()
                .map(|part| format!("secret put {secret} -c <{part}>")),
        );
    }
    // The first deploy learns the workers.dev URL; the second sets PUBLIC_URL to it.
    calls.extend(deploys());
    calls.extend(deploys());
    calls
}

/// Each secret's value came on stdin, and is neither printed nor on a command line.
fn assert_secrets_kept_secret(world: &World, run: &Run) {
    assert!(run.secrets_put().iter().all(|(_, given)| *given), "{run}");
    let log = fs::read_to_string(world.cloudflare().join("calls.jsonl")).unwrap();
    for value in world.secrets().values() {
        assert!(
            !run.output().contains(value.as_str()),
            "a secret was printed: {run}"
        );
        assert!(
            !log.contains(value.as_str()),
            "a secret was on a command line"
        );
    }
}

#[test]
fn the_first_run_creates_everything_and_a_second_changes_nothing() {
    let world = World::new("first-and-second");
    let committed = committed_config();

    let first = world.deploy_with(&["--shards", "3"], &SPOTIFY);
    first.assert_success();
    assert_eq!(first.commands(), first_deployment(), "{first}");
    assert_secrets_kept_secret(&world, &first);
    let secrets = world.secrets();
    assert_eq!(secrets["SPOTIFY_CLIENT_ID"], SPOTIFY[0].1);
    let key = STANDARD.decode(&secrets["TOKEN_ENCRYPTION_KEY"]).unwrap();
    assert_eq!(key.len(), 32);
    assert!(secrets["CRON_SECRET"].len() >= 32);
    for shard in SHARDS {
        assert_eq!(world.migrations_applied(shard), migrations(), "{shard}");
    }

    assert_eq!(first.deployed_main(), repo().join("build/index.js"));
    let migrations_dir = repo().join("migrations").display().to_string();
    let bound = |binding: &str, shard: &str| {
        let id = world.remote(&format!("d1/{shard}"));
        [binding.into(), shard.into(), id, migrations_dir.clone()]
    };
    let databases = [
        bound("ARCHIVE_DB", SHARDS[0]),
        bound("ARCHIVE_DB_1", SHARDS[1]),
        bound("ARCHIVE_DB_2", SHARDS[2]),
    ];
    assert_eq!(first.deployed_databases(), databases);
    let namespace = world.remote("kv/IDEMPOTENCY_KV");
    assert_eq!(first.deployed_value("kv_namespaces", "id"), namespace);
    assert_eq!(first.deployed_value("vars", "PUBLIC_URL"), WORKER_URL);
    let callback = format!("{WORKER_URL}/callback");
    assert!(first.stdout.contains(&callback), "{first}");
    assert_eq!(committed_config(), committed);

    let local_files = world.local_files();
    let second = world.deploy(&[]);
    second.assert_success();
    let mut changes = SHARDS.map(migrate).to_vec();
    changes.extend(deploys());
    assert_eq!(second.changes(), changes, "{second}");
    assert_eq!(world.local_files(), local_files, "the local config changed");
    for shard in SHARDS {
        assert_eq!(world.migrations_applied(shard), migrations(), "{shard}");
    }
    assert_eq!(world.secrets(), secrets);
    assert!(second.stdout.contains(&callback), "{second}");
    assert_eq!(committed_config(), committed);
}

#[test]
fn secrets_it_cannot_make_are_named_at_the_end_and_set_later_from_the_environment() {
    let world = World::new("secrets");
    let first = world.deploy(&[]);
    first.assert_success();
    // The key on every Worker, the admin API's secret on the front alone.
    let generated = [("TOKEN_ENCRYPTION_KEY", 4), ("CRON_SECRET", 1)];
    assert_eq!(first.secrets_put(), puts(&generated), "{first}");
    let still = "Still to set: SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET";
    assert!(first.stdout.contains(still), "{first}");
    assert!(first.stdout.contains("OPERATOR_ALERT_URL"), "{first}");
    let key = the_one_token_key(&world);

    let alerts = ("OPERATOR_ALERT_URL", "https://alerts.example.com/hook");
    let another_key = ("TOKEN_ENCRYPTION_KEY", "not-to-be-used");
    let second = world.deploy_with(&[], &[SPOTIFY[0], SPOTIFY[1], alerts, another_key]);
    second.assert_success();
    let given = [
        ("SPOTIFY_CLIENT_ID", 4),
        ("SPOTIFY_CLIENT_SECRET", 4),
        ("OPERATOR_ALERT_URL", 4),
    ];
    assert_eq!(second.secrets_put(), puts(&given), "{second}");
    // A secret that exists is never overwritten: the token key seals the stored tokens.
    assert_eq!(world.secrets()["TOKEN_ENCRYPTION_KEY"], key);
    assert!(!second.stdout.contains("Still to set"), "{second}");
}

/// The token key, once every Worker is seen to hold the same one.
fn the_one_token_key(world: &World) -> String {
    let key = world.secrets()["TOKEN_ENCRYPTION_KEY"].clone();
    for (_, worker) in WORKERS {
        let held = &world.secrets_of(worker)["TOKEN_ENCRYPTION_KEY"];
        assert_eq!(held, &key, "{worker}");
    }
    key
}

/// The `secret put`s of `secrets`, each on that many Workers, each with its value.
fn puts(secrets: &[(&str, usize)]) -> Vec<(String, bool)> {
    let each = secrets
        .iter()
        .map(|(name, workers)| vec![(name.to_string(), true); *workers]);
    each.flatten().collect()
}

#[test]
fn the_workers_are_deployed_as_parts_of_one_service() {
    let world = World::new("parts");
    world
        .deploy_with(&["--shards", "2"], &SPOTIFY)
        .assert_success();
    let front = tables(&world.deployed(WORKERS[0].1));
    let has = |tables: &[(String, HashMap<String, String>)], name: &str| {
        tables.iter().filter(|(table, _)| table == name).count()
    };
    // The front binds the parts that answer its other routes, and runs the cron.
    let services: Vec<(String, String)> = front
        .iter()
        .filter(|(name, _)| name == "services")
        .map(|(_, table)| (table["binding"].clone(), table["service"].clone()))
        .collect();
    let bound = [
        ("REVIEW_WORKER", WORKERS[1].1),
        ("HISTORY_WORKER", WORKERS[2].1),
    ];
    assert_eq!(services, bound.map(|(b, s)| (b.to_owned(), s.to_owned())));
    assert_eq!(has(&front, "triggers"), 1);
    assert_eq!(has(&front, "queues.consumers"), 0);
    for (part, worker) in WORKERS {
        let deployed = world.deployed(worker);
        let config = tables(&deployed);
        let main = if part == "front" {
            repo().join("build/index.js")
        } else {
            repo().join(format!("build/{part}/index.js"))
        };
        assert_eq!(config[0].1["main"], main.display().to_string(), "{part}");
        // Every Worker binds every shard, the KV namespace and the producers.
        assert_eq!(has(&config, "d1_databases"), 2, "{part}");
        assert_eq!(has(&config, "kv_namespaces"), 1, "{part}");
        assert_eq!(has(&config, "queues.producers"), 2, "{part}");
        let consumers = if part == "background" { 4 } else { 0 };
        assert_eq!(has(&config, "queues.consumers"), consumers, "{part}");
        if part != "front" {
            // Reached through the front only.
            assert!(deployed.contains("\nworkers_dev = false\n"), "{part}");
            assert_eq!(has(&config, "triggers"), 0, "{part}");
            assert_eq!(has(&config, "services"), 0, "{part}");
        }
        let vars = config.iter().find(|(name, _)| name == "vars").unwrap();
        assert_eq!(vars.1["PUBLIC_URL"], WORKER_URL, "{part}");
        let secrets = world.secrets_of(worker);
        assert_eq!(
            secrets.contains_key("CRON_SECRET"),
            part == "front",
            "{part}"
        );
        assert_eq!(secrets["SPOTIFY_CLIENT_ID"], SPOTIFY[0].1, "{part}");
    }
}

#[test]
fn secrets_that_only_some_workers_hold_are_never_guessed_for_the_others() {
    let world = World::new("one-worker-before");
    world.deploy_with(&[], &SPOTIFY).assert_success();
    // A deployment from before the split: the front alone holds the secrets, one of them
    // (Last.fm's key, set by hand) unknown to scripts/deploy.
    let front = world.secrets();
    let key = front["TOKEN_ENCRYPTION_KEY"].clone();
    for (_, worker) in &WORKERS[1..] {
        for (name, _) in SPOTIFY.iter().chain([&("TOKEN_ENCRYPTION_KEY", "")]) {
            let secret = format!("workers/{worker}/secrets/{name}");
            fs::remove_file(world.cloudflare().join(secret)).unwrap();
        }
    }
    let lastfm = ("LASTFM_API_KEY", "lastfm-key-set-by-hand");
    let on_front = format!("workers/{}/secrets/{}", WORKERS[0].1, lastfm.0);
    fs::write(world.cloudflare().join(on_front), lastfm.1).unwrap();

    let refused = world.deploy(&[]);
    assert_eq!(refused.status.code(), Some(1), "{refused}");
    for name in ["TOKEN_ENCRYPTION_KEY", SPOTIFY[0].0, SPOTIFY[1].0, lastfm.0] {
        let reason = format!("{name} (set on front; not on review, history, background)");
        assert!(refused.stderr.contains(&reason), "{name}: {refused}");
    }
    assert!(refused.secrets_put().is_empty(), "{refused}");
    assert!(
        refused
            .changes()
            .iter()
            .all(|call| !call.starts_with("deploy")),
        "{refused}"
    );

    let given = [
        SPOTIFY[0],
        SPOTIFY[1],
        ("TOKEN_ENCRYPTION_KEY", &key),
        lastfm,
    ];
    let upgraded = world.deploy_with(&[], &given);
    upgraded.assert_success();
    let puts = puts(&[
        ("TOKEN_ENCRYPTION_KEY", 3),
        (SPOTIFY[0].0, 3),
        (SPOTIFY[1].0, 3),
        (lastfm.0, 3),
    ]);
    assert_eq!(upgraded.secrets_put(), puts, "{upgraded}");
    for (_, worker) in WORKERS {
        let secrets = world.secrets_of(worker);
        assert_eq!(secrets["TOKEN_ENCRYPTION_KEY"], key, "{worker}");
        assert_eq!(secrets[lastfm.0], lastfm.1, "{worker}");
    }
}

#[test]
fn a_run_stopped_while_setting_a_generated_key_is_finished_with_the_same_key() {
    let world = World::new("stopped-key");
    let history = world.state_dir().join("history.toml");
    let put_on_history = format!("secret put TOKEN_ENCRYPTION_KEY -c {}", history.display());
    let stopped = world.deploy_with(&[], &[("FAKE_WRANGLER_FAIL", &put_on_history)]);
    assert_eq!(stopped.status.code(), Some(1), "{stopped}");
    // Set on the front and the review Worker, not yet on the others.
    assert_eq!(
        stopped.secrets_put(),
        puts(&[("TOKEN_ENCRYPTION_KEY", 2)]),
        "{stopped}"
    );
    let pending = world.state_dir().join("pending-secrets.json");
    let mode = fs::metadata(&pending).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the generated key is readable by its owner alone"
    );

    let rerun = world.deploy(&[]);
    rerun.assert_success();
    the_one_token_key(&world);
    assert!(!pending.exists(), "the generated key stays on disk");
}

#[test]
fn shards_are_added_one_database_at_a_time_and_never_removed() {
    let world = World::new("shards");
    world.deploy(&["--shards", "3"]).assert_success();

    let grown = world.deploy(&["--shards", "4"]);
    grown.assert_success();
    assert_eq!(
        grown.created(),
        ["d1 create spotify-time-machine-3"],
        "{grown}"
    );
    let bindings = ["ARCHIVE_DB", "ARCHIVE_DB_1", "ARCHIVE_DB_2", "ARCHIVE_DB_3"];
    assert_eq!(grown.deployed_bindings(), bindings);
    assert_eq!(
        world.migrations_applied("spotify-time-machine-3"),
        migrations()
    );

    let files = world.local_files();
    let shrunk = world.deploy(&["--shards", "2"]);
    assert_eq!(shrunk.status.code(), Some(1), "{shrunk}");
    assert!(
        shrunk
            .stderr
            .contains("refusing to lower the shard count from 4 to 2"),
        "{shrunk}"
    );
    assert!(shrunk.changes().is_empty(), "{shrunk}");
    assert_eq!(world.local_files(), files);

    // A machine without the local state finds the shards by their databases.
    fs::remove_dir_all(world.state_dir()).unwrap();
    let fresh = world.deploy(&[]);
    fresh.assert_success();
    assert!(fresh.created().is_empty(), "{fresh}");
    assert_eq!(fresh.deployed_bindings(), bindings);
    assert_eq!(world.deploy(&["--shards", "3"]).status.code(), Some(1));
}

#[test]
fn shard_weights_must_name_every_shard() {
    let world = World::new("weights");
    let weighted = world.deploy(&["--shards", "3", "--weights", "1,1,0"]);
    weighted.assert_success();
    assert_eq!(weighted.deployed_value("vars", "SHARD_WEIGHTS"), "1,1,0");

    // The remembered weights leave the new shard out, which the Worker would refuse.
    let unweighted = world.deploy(&["--shards", "4"]);
    assert_eq!(unweighted.status.code(), Some(1), "{unweighted}");
    assert!(
        unweighted.stderr.contains("3 weight(s) for 4 shard(s)"),
        "{unweighted}"
    );
    assert!(unweighted.changes().is_empty(), "{unweighted}");

    let grown = world.deploy(&["--shards", "4", "--weights", "1,1,0,2"]);
    grown.assert_success();
    assert_eq!(grown.deployed_value("vars", "SHARD_WEIGHTS"), "1,1,0,2");
}

#[test]
fn a_failing_wrangler_call_stops_the_deploy_and_a_rerun_finishes_it() {
    let world = World::new("failure");
    let failed = world.deploy_with(&[], &[("FAKE_WRANGLER_FAIL", "queues create stm-notify")]);
    assert_eq!(failed.status.code(), Some(1), "{failed}");
    assert!(
        failed
            .stderr
            .contains("`wrangler queues create stm-notify` failed"),
        "{failed}"
    );
    assert!(
        failed.stderr.contains("run scripts/deploy again"),
        "{failed}"
    );
    assert_eq!(
        failed.changes().last().unwrap(),
        "queues create stm-notify",
        "{failed}"
    );

    let rerun = world.deploy(&[]);
    rerun.assert_success();
    let created = ["queues create stm-notify", "queues create stm-notify-dlq"];
    assert_eq!(rerun.created(), created, "{rerun}");
    assert_eq!(rerun.deployed_bindings(), ["ARCHIVE_DB"]);
}

#[test]
fn help_and_bad_arguments_call_no_wrangler() {
    let world = World::new("help");
    let help = world.deploy(&["--help"]);
    help.assert_success();
    assert!(help.stdout.starts_with("Usage: scripts/deploy"), "{help}");
    let bad = world.deploy(&["--shards", "none"]);
    assert_eq!(bad.status.code(), Some(2), "{bad}");
    assert!(
        bad.stderr.contains("--shards takes a whole number"),
        "{bad}"
    );
    assert!(world.calls().is_empty());
}
