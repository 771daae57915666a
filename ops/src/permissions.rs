//! What a script may reach: Deno-style read, write and net permissions.
//!
//! A [`Permissions`] is decided once, from the command line, and shared by
//! every realm of the process (the main runtime, its Workers, the
//! AudioWorklet scopes). Paths are compared after resolving `.`/`..` and
//! symbolic links, so neither `../` nor a link (`/proc/self/root/...`)
//! leads out of an allowed folder. A refusal is a [`PermissionError`],
//! which JS sees as a `NotCapable` error naming the flag that would allow
//! the access, as Deno 2 words it.

use std::path::{Component, Path, PathBuf};

/// One kind of access: everything, or only what is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant<T> {
    All,
    Only(Vec<T>),
}

impl<T> Default for Grant<T> {
    fn default() -> Self {
        Grant::Only(Vec::new())
    }
}

/// A host a script may connect to, with an optional port (any port when
/// `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetTarget {
    pub host: String,
    pub port: Option<u16>,
}

impl NetTarget {
    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || format!("invalid host '{text}' in --allow-net");
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(invalid)?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return Err(invalid()),
            };
            (format!("[{host}]"), port)
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') => (host.to_string(), Some(port)),
                _ => (text.to_string(), None),
            }
        };
        if host.is_empty() || host.contains('/') {
            return Err(invalid());
        }
        let port = match port {
            Some(p) => Some(p.parse::<u16>().map_err(|_| invalid())?),
            None => None,
        };
        Ok(Self {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    fn allows(&self, host: &str, port: u16) -> bool {
        self.host.eq_ignore_ascii_case(host) && self.port.is_none_or(|p| p == port)
    }
}

/// A refused access, as JS sees it: class `NotCapable`.
#[derive(Debug, thiserror::Error, deno_error::JsError)]
#[class("NotCapable")]
#[error("Requires {kind} access to \"{target}\", run again with the --allow-{kind} flag")]
pub struct PermissionError {
    /// `read`, `write` or `net`: also the flag's name.
    pub kind: &'static str,
    pub target: String,
}

/// The accesses granted to a process.
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    read: Grant<PathBuf>,
    write: Grant<PathBuf>,
    net: Grant<NetTarget>,
}

impl Permissions {
    /// Everything allowed (`-A`).
    pub fn allow_all() -> Self {
        Self {
            read: Grant::All,
            write: Grant::All,
            net: Grant::All,
        }
    }

    /// Grants as given: folders and files (relative ones against `cwd`)
    /// under which reading or writing is allowed, and hosts.
    pub fn new(
        read: Grant<PathBuf>,
        write: Grant<PathBuf>,
        net: Grant<NetTarget>,
        cwd: &Path,
    ) -> Self {
        let resolve_all = |grant: Grant<PathBuf>| match grant {
            Grant::All => Grant::All,
            Grant::Only(paths) => {
                Grant::Only(paths.iter().map(|p| resolve_path(&cwd.join(p))).collect())
            }
        };
        Self {
            read: resolve_all(read),
            write: resolve_all(write),
            net,
        }
    }

    pub fn check_read(&self, path: &Path) -> Result<(), PermissionError> {
        check_path(&self.read, path, "read")
    }

    pub fn check_write(&self, path: &Path) -> Result<(), PermissionError> {
        check_path(&self.write, path, "write")
    }

    /// Checks a connection to `host:port` (`host` as in a URL, IPv6
    /// addresses in brackets).
    pub fn check_net(&self, host: &str, port: u16) -> Result<(), PermissionError> {
        let allowed = match &self.net {
            Grant::All => true,
            Grant::Only(targets) => targets.iter().any(|t| t.allows(host, port)),
        };
        if allowed {
            Ok(())
        } else {
            Err(PermissionError {
                kind: "net",
                target: format!("{host}:{port}"),
            })
        }
    }

    /// Whether reading anything at all is allowed (`--allow-read`, `-A`).
    pub fn reads_everything(&self) -> bool {
        self.read == Grant::All
    }
}

fn check_path(
    grant: &Grant<PathBuf>,
    path: &Path,
    kind: &'static str,
) -> Result<(), PermissionError> {
    let allowed = match grant {
        Grant::All => true,
        Grant::Only(roots) => {
            let resolved = resolve_path(path);
            roots.iter().any(|root| resolved.starts_with(root))
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(PermissionError {
            kind,
            target: path.display().to_string(),
        })
    }
}

/// `path` made absolute with `.` and `..` removed and symbolic links
/// followed as far as the path exists (a file yet to be written resolves
/// through its existing parent).
pub fn resolve_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    // Follow links through the longest prefix that exists.
    let mut missing = Vec::new();
    let mut existing = normal.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut out = real;
            for part in missing.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return normal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("webaudio-perm-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("allowed/sub")).unwrap();
        std::fs::create_dir_all(dir.join("other")).unwrap();
        std::fs::write(dir.join("other/secret"), b"x").unwrap();
        dir
    }

    #[test]
    fn reads_are_confined_to_the_granted_folders() {
        let dir = temp_dir("read");
        let perms = Permissions::new(
            Grant::Only(vec![PathBuf::from("allowed")]),
            Grant::default(),
            Grant::default(),
            &dir,
        );
        assert!(perms.check_read(&dir.join("allowed/sub/a.wav")).is_ok());
        assert!(perms.check_read(&dir.join("allowed")).is_ok());
        let err = perms
            .check_read(&dir.join("allowed/../other/secret"))
            .unwrap_err();
        assert_eq!(err.kind, "read");
        assert!(
            err.to_string()
                .contains("run again with the --allow-read flag")
        );
        // A name that merely starts like the folder is another folder.
        assert!(perms.check_read(&dir.join("allowed-not")).is_err());
        assert!(perms.check_write(&dir.join("allowed/x")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_a_granted_folder_is_refused() {
        let dir = temp_dir("link");
        std::os::unix::fs::symlink(dir.join("other"), dir.join("allowed/escape")).unwrap();
        let perms = Permissions::new(
            Grant::Only(vec![dir.join("allowed")]),
            Grant::Only(vec![dir.join("allowed")]),
            Grant::default(),
            &dir,
        );
        assert!(
            perms
                .check_read(&dir.join("allowed/escape/secret"))
                .is_err()
        );
        assert!(
            perms
                .check_write(&dir.join("allowed/escape/new.wav"))
                .is_err()
        );
        assert!(perms.check_write(&dir.join("allowed/sub/new.wav")).is_ok());
    }

    #[test]
    fn net_targets_match_host_and_port() {
        let perms = Permissions::new(
            Grant::default(),
            Grant::default(),
            Grant::Only(vec![
                NetTarget::parse("example.com").unwrap(),
                NetTarget::parse("127.0.0.1:8000").unwrap(),
                NetTarget::parse("[::1]:9").unwrap(),
            ]),
            Path::new("/"),
        );
        assert!(perms.check_net("EXAMPLE.com", 443).is_ok());
        assert!(perms.check_net("127.0.0.1", 8000).is_ok());
        assert!(perms.check_net("[::1]", 9).is_ok());
        let err = perms.check_net("127.0.0.1", 8001).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Requires net access to \"127.0.0.1:8001\", run again with the --allow-net flag"
        );
        assert!(NetTarget::parse("host:notaport").is_err());
        assert!(NetTarget::parse("").is_err());
        assert!(Permissions::allow_all().check_net("any", 1).is_ok());
    }
}
