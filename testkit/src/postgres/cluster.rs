//! initdb, pg_ctl and the cleanup watchdog: the process side of [`super::PgServer`].

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{ClusterOptions, Durability};

#[derive(Debug)]
pub(super) struct Cluster {
    pub(super) port: u16,
    dir: PathBuf,
    pg_ctl: PathBuf,
    /// `runuser -u postgres --` when running as root (initdb and postgres refuse root).
    as_postgres: Vec<String>,
}

impl Cluster {
    pub(super) fn start(options: &ClusterOptions) -> Result<Cluster, String> {
        let bin = &options.bin_dir;
        let (initdb, pg_ctl) = (bin.join("initdb"), bin.join("pg_ctl"));
        if !initdb.exists() || !pg_ctl.exists() {
            return Err(format!(
                "PostgreSQL binaries not found in {} (install them with `apt-get install -y postgresql-15`, \
                 point AFFIDAVIT_TEST_PG_BIN at them, or set AFFIDAVIT_TEST_PG_URL to a superuser URL)",
                bin.display()
            ));
        }
        // One directory per cluster, so a process may start more than one.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let dir = std::env::temp_dir().join(format!("affidavit-pg-{}{suffix}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let as_postgres: Vec<String> = if is_root()? {
            run(Command::new("chown").arg("postgres:").arg(&dir))?;
            ["runuser", "-u", "postgres", "--"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        };
        let cluster = Cluster {
            port: free_port()?,
            dir,
            pg_ctl,
            as_postgres,
        };
        cluster.spawn_watchdog()?;

        let mut init = cluster.command(&initdb);
        init.arg("-D").arg(cluster.data()).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]);
        if options.durability == Durability::Fast {
            init.arg("--no-sync");
        }
        run(&mut init)?;

        let mut server_options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections={}",
            cluster.port,
            cluster.dir.display(),
            options.max_connections
        );
        if options.durability == Durability::Fast {
            server_options
                .push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        for (name, value) in &options.settings {
            server_options.push_str(&format!(" -c {name}={value}"));
        }
        run(cluster
            .command(&cluster.pg_ctl)
            .arg("-D")
            .arg(cluster.data())
            .arg("-l")
            .arg(cluster.log_file())
            .args(["-w", "-t", "60", "-o", &server_options, "start"]))?;
        Ok(cluster)
    }

    pub(super) fn log_file(&self) -> PathBuf {
        self.dir.join("pg.log")
    }

    pub(super) fn stop(self) -> Result<(), String> {
        run(self
            .command(&self.pg_ctl)
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "stop"]))?;
        std::fs::remove_dir_all(&self.dir)
            .map_err(|e| format!("removing {}: {e}", self.dir.display()))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `program`, run as `postgres` when we are root.
    fn command(&self, program: &Path) -> Command {
        match self.as_postgres.split_first() {
            Some((first, rest)) => {
                let mut cmd = Command::new(first);
                cmd.args(rest).arg(program);
                cmd
            }
            None => Command::new(program),
        }
    }

    /// Stops the server and removes its directory once this process has exited.
    fn spawn_watchdog(&self) -> Result<(), String> {
        const SCRIPT: &str = r#"pid=$1; pg_ctl=$2; data=$3; dir=$4; shift 4
while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
if [ -d "$data" ]; then "$@" "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1; fi
rm -rf "$dir""#;
        // setsid: a new session, so a Ctrl-C aimed at the test run does not kill it.
        Command::new("setsid")
            .args(["sh", "-c", SCRIPT, "affidavit-pg-watchdog"])
            .arg(std::process::id().to_string())
            .arg(&self.pg_ctl)
            .arg(self.data())
            .arg(&self.dir)
            .args(&self.as_postgres)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| format!("starting the cleanup watchdog (setsid sh): {e}"))
    }
}

fn is_root() -> Result<bool, String> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("id -u: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> Result<u16, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("binding a port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
