//! What kind of filesystem holds the Chamber's folder, and whether its caching lets priests on
//! other computers see each other's rows in time.
//!
//! The paper's priests are not in one room (§1): their ledgers and messagebooks may sit on a
//! network folder that several computers mount. Two things about such a folder are checked when
//! a priest or God starts:
//!
//! - **Its kind**, from statfs(2)'s `f_type`: on a FUSE (sshfs), NFS or SMB mount, inotify never
//!   reports what another computer writes, so the priests poll instead ([`super::poll`]).
//! - **Its caching**, from `/proc/self/mountinfo` (and, for sshfs, whose caching options live in
//!   its own process, from that process's command line): sshfs keeps attributes and folder
//!   listings for 20 s by default and NFS for 3 to 60 s, so a row written on one computer is read
//!   on another only seconds later. Such a folder gets a warning naming the options to mount it
//!   with: `dir_cache=no,attr_timeout=0,entry_timeout=0` for sshfs, `noac` for NFS.

use std::path::{Path, PathBuf};

/// The sshfs options that make another computer's rows visible at once.
pub const SSHFS_OPTIONS: &str = "dir_cache=no,attr_timeout=0,entry_timeout=0";
/// The NFS option that does the same.
pub const NFS_OPTIONS: &str = "noac";

/// A network filesystem, as statfs(2) names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// A FUSE mount (sshfs, among others).
    Fuse,
    /// NFS.
    Nfs,
    /// SMB or CIFS.
    Smb,
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Network::Fuse => "a FUSE mount (sshfs?)",
            Network::Nfs => "an NFS mount",
            Network::Smb => "an SMB mount",
        })
    }
}

/// The network filesystem `f_type` names, if it is one.
pub fn network_of_magic(magic: u64) -> Option<Network> {
    match magic {
        0x6573_5546 => Some(Network::Fuse),
        0x6969 => Some(Network::Nfs),
        0x517B | 0xFF53_4D42 | 0xFE53_4D42 => Some(Network::Smb),
        _ => None,
    }
}

/// Whether `dir` is on a network filesystem, and which; `None` for a local one (or if statfs
/// fails: then the folder's own errors speak later).
pub fn network(dir: &Path) -> Option<Network> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statfs(2) with a NUL-terminated path and a zeroed struct it fills in.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(path.as_ptr(), &mut fs) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)]
    network_of_magic(fs.f_type as u64)
}

/// One line of `/proc/self/mountinfo`, as far as the checks need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountLine {
    /// Where it is mounted.
    pub point: PathBuf,
    /// The filesystem type, e.g. `fuse.sshfs`, `nfs4`.
    pub fstype: String,
    /// What is mounted, e.g. `ann@server:/chamber`.
    pub source: String,
    /// The per-mount and the filesystem's own options, together.
    pub options: Vec<String>,
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && let Some(v) = field.get(i + 1..i + 4).and_then(|s| u8::from_str_radix(s, 8).ok())
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses one line of mountinfo: `id parent maj:min root point options [optional...] - fstype
/// source super-options`. `None` for a line that is not one.
pub fn parse_mount_line(line: &str) -> Option<MountLine> {
    let fields: Vec<&str> = line.split(' ').collect();
    let dash = fields.iter().position(|f| *f == "-")?;
    if dash < 6 || fields.len() < dash + 3 {
        return None;
    }
    let mut options: Vec<String> = fields[5].split(',').map(str::to_string).collect();
    if let Some(sup) = fields.get(dash + 3) {
        options.extend(sup.split(',').map(str::to_string));
    }
    Some(MountLine {
        point: PathBuf::from(unescape(fields[4])),
        fstype: fields[dash + 1].to_string(),
        source: unescape(fields[dash + 2]),
        options,
    })
}

/// The mount holding `dir` among mountinfo's lines: the longest mount point `dir` is under (the
/// last such line, as later mounts cover earlier ones).
pub fn mount_of(mountinfo: &str, dir: &Path) -> Option<MountLine> {
    let mut best: Option<MountLine> = None;
    for m in mountinfo.lines().filter_map(parse_mount_line) {
        if dir.starts_with(&m.point)
            && best.as_ref().is_none_or(|b| m.point.components().count() >= b.point.components().count())
        {
            best = Some(m);
        }
    }
    best
}

/// The `-o` options on an sshfs command line (`-o a,b`, `-oa,b`), each once.
pub fn sshfs_options(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        let list = if a == "-o" { it.next().map(String::as_str) } else { a.strip_prefix("-o") };
        out.extend(list.into_iter().flat_map(|l| l.split(',')).map(str::to_string));
    }
    out
}

/// What is missing from a mount's options for rows to be seen at once, as the warning to print;
/// `None` when nothing is. `sshfs` holds the options of the sshfs process, when it was found.
pub fn caching_warning(mount: &MountLine, sshfs: Option<&[String]>) -> Option<String> {
    let has = |opts: &[String], o: &str| opts.iter().any(|x| x == o);
    let point = mount.point.display();
    if mount.fstype == "fuse.sshfs" || mount.fstype == "sshfs" {
        let Some(opts) = sshfs else {
            return Some(format!(
                "warning: the Chamber is on sshfs ({point}), whose options could not be read; unless it was mounted with -o {SSHFS_OPTIONS}, rows written on another computer are seen here up to 20 s late"
            ));
        };
        let missing: Vec<&str> = SSHFS_OPTIONS.split(',').filter(|o| !has(opts, o)).collect();
        return (!missing.is_empty()).then(|| {
            format!(
                "warning: the Chamber is on sshfs ({point}) without {}: rows written on another computer are seen here up to 20 s late; mount it with -o {SSHFS_OPTIONS}",
                missing.join(",")
            )
        });
    }
    if mount.fstype.starts_with("nfs") {
        let zero = |k: &str| has(&mount.options, &format!("{k}=0"));
        let off = has(&mount.options, "noac")
            || has(&mount.options, "actimeo=0")
            || ["acregmin", "acregmax", "acdirmin", "acdirmax"].iter().all(|k| zero(k));
        return (!off).then(|| {
            format!(
                "warning: the Chamber is on NFS ({point}) with attribute caching on: rows written on another computer are seen here 3 to 60 s late; mount it with -o {NFS_OPTIONS} (or actimeo=0)"
            )
        });
    }
    None
}

/// The command line of the sshfs process serving `point`, read from `/proc`.
fn sshfs_argv(point: &Path) -> Option<Vec<String>> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let is_sshfs = argv.first().is_some_and(|a| Path::new(a).file_name().is_some_and(|n| n == "sshfs"));
        let serves = argv.iter().any(|a| std::fs::canonicalize(a).is_ok_and(|p| p == point));
        if is_sshfs && serves {
            return Some(argv);
        }
    }
    None
}

/// The warning to print at start for the Chamber's folder `dir`, if its mount caches too long.
pub fn check(dir: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mount = mount_of(&mountinfo, &dir)?;
    let sshfs = mount.fstype.contains("sshfs").then(|| sshfs_argv(&mount.point)).flatten();
    caching_warning(&mount, sshfs.map(|a| sshfs_options(&a)).as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
41 22 0:36 / /mnt/chamber rw,nosuid,nodev,relatime shared:20 - fuse.sshfs ann@10.9.0.1:/srv/chamber rw,user_id=0,group_id=0
42 22 0:37 / /mnt/nfs rw,relatime shared:21 - nfs4 server:/export rw,vers=4.2,rsize=1048576,acregmin=3,acregmax=60,hard,proto=tcp
43 22 0:38 / /mnt/nfs\\040quick rw,relatime - nfs server:/export rw,vers=3,noac,hard
44 22 0:39 / /mnt/nfs-zero rw,relatime - nfs4 server:/x rw,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0
";

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn mountinfo_lines_are_parsed_with_their_type_source_and_options() {
        let m = parse_mount_line(SAMPLE.lines().nth(1).unwrap()).unwrap();
        assert_eq!(m.point, PathBuf::from("/mnt/chamber"));
        assert_eq!((m.fstype.as_str(), m.source.as_str()), ("fuse.sshfs", "ann@10.9.0.1:/srv/chamber"));
        assert!(m.options.contains(&"nosuid".to_string()) && m.options.contains(&"user_id=0".to_string()));
        let spaced = parse_mount_line(SAMPLE.lines().nth(3).unwrap()).unwrap();
        assert_eq!(spaced.point, PathBuf::from("/mnt/nfs quick"), "\\040 is a space");
        assert_eq!(parse_mount_line("not a mount line"), None);
    }

    #[test]
    fn the_folder_belongs_to_the_longest_mount_point_above_it() {
        assert_eq!(mount_of(SAMPLE, Path::new("/mnt/chamber/ledgers")).unwrap().fstype, "fuse.sshfs");
        assert_eq!(mount_of(SAMPLE, Path::new("/home/ann")).unwrap().fstype, "ext4");
        // A path sharing a prefix of characters but not of components is not under it.
        assert_eq!(mount_of(SAMPLE, Path::new("/mnt/chamberx")).unwrap().fstype, "ext4");
    }

    #[test]
    fn sshfs_without_the_no_cache_options_is_warned_about_naming_them() {
        let m = mount_of(SAMPLE, Path::new("/mnt/chamber")).unwrap();
        let default = sshfs_options(&strings(&["sshfs", "ann@h:/c", "/mnt/chamber", "-o", "reconnect"]));
        let w = caching_warning(&m, Some(&default)).expect("a warning");
        assert!(w.contains("dir_cache=no,attr_timeout=0,entry_timeout=0"), "{w}");
        let half = sshfs_options(&strings(&["sshfs", "-odir_cache=no", "h:/c", "/mnt/chamber"]));
        let w = caching_warning(&m, Some(&half)).expect("a warning");
        assert!(w.contains("without attr_timeout=0,entry_timeout=0"), "{w}");
        let good = sshfs_options(&strings(&[
            "sshfs",
            "h:/c",
            "/m",
            "-o",
            "reconnect,dir_cache=no",
            "-o",
            "attr_timeout=0,entry_timeout=0",
        ]));
        assert_eq!(caching_warning(&m, Some(&good)), None);
        assert!(
            caching_warning(&m, None).unwrap().contains(SSHFS_OPTIONS),
            "unknown options: say which to use"
        );
    }

    #[test]
    fn nfs_with_attribute_caching_is_warned_about_and_noac_or_zero_timeouts_are_not() {
        let cached = mount_of(SAMPLE, Path::new("/mnt/nfs")).unwrap();
        assert!(caching_warning(&cached, None).unwrap().contains("noac"));
        let noac = mount_of(SAMPLE, Path::new("/mnt/nfs quick/ledgers")).unwrap();
        assert_eq!(caching_warning(&noac, None), None);
        let zero = mount_of(SAMPLE, Path::new("/mnt/nfs-zero")).unwrap();
        assert_eq!(caching_warning(&zero, None), None);
        let local = mount_of(SAMPLE, Path::new("/srv")).unwrap();
        assert_eq!(caching_warning(&local, None), None);
    }

    #[test]
    fn statfs_magic_numbers_name_the_network_filesystems() {
        assert_eq!(network_of_magic(0x6573_5546), Some(Network::Fuse));
        assert_eq!(network_of_magic(0x6969), Some(Network::Nfs));
        for smb in [0x517B, 0xFF53_4D42, 0xFE53_4D42] {
            assert_eq!(network_of_magic(smb), Some(Network::Smb));
        }
        assert_eq!(network_of_magic(0xEF53), None, "ext4 is local");
        assert_eq!(network(Path::new("/proc")), None);
    }
}
