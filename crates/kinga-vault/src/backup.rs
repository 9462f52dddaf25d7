//! Backup archives (decision 0010): one file holding named members (the database snapshot,
//! every sealed blob), encrypted as one stream to a backup key or a passphrase, ending with a
//! manifest of each member's size and SHA-256.
//!
//! ```text
//! header   "KINGABAK" | version 1 | kind | chunk size (u32 LE) | nonce prefix (7)
//!          kind 1 (key):        key id (8) | ephemeral X25519 public key (32)
//!          kind 2 (passphrase): Argon2id memory KiB, iterations, parallelism (u32 LE each) | salt (16)
//!          key check: AES-256-GCM tag of nothing, the header before it as associated data
//! chunks   AES-256-GCM STREAM, 1 MiB of plaintext each, the whole header as associated data
//! plaintext  'F' | name length (u16 LE) | name | frames: length (u32 LE) | bytes … | 0 (u32)
//!            … one such member per file …
//!            'M' | frames of the manifest's JSON | 0
//! ```
//!
//! Memory stays flat: one chunk in flight each way, whatever the members' sizes. The key check
//! tells a wrong key or passphrase from a damaged archive; the STREAM construction (the chunk
//! counter and a last-chunk flag in each nonce) finds a changed, dropped, reordered or cut chunk.
use crate::keys::KdfParams;
use crate::{Result, VaultError};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{Read, Write};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"KINGABAK";
const VERSION: u8 = 1;
const KIND_KEY: u8 = 1;
const KIND_PASSPHRASE: u8 = 2;
const CHUNK: usize = 1 << 20;
const TAG: usize = 16;
const FRAME: usize = 64 * 1024;
const KEY_INFO: &[u8] = b"kinga backup archive v1";
const MANIFEST_FORMAT: &str = "kinga-backup-v1";
const PUBLIC_HEADER: &str = "kinga-backup-public-key v1";
const SECRET_HEADER: &str = "kinga-backup-secret-key v1";
/// Nonce flag of the key check: chunks use 0 (more follow) and 1 (last).
const CHECK_FLAG: u8 = 2;

fn key_id(public: &[u8; 32]) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(b"kinga-backup-x25519:");
    h.update(public);
    h.finalize()[..8].try_into().expect("8 bytes")
}

/// The key backups are encrypted to. Anyone may hold it: it can write backups, not read them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupPublicKey(pub [u8; 32]);

/// The key that opens backups: kept offline, away from the server whose backups it opens.
pub struct BackupSecretKey(StaticSecret);

impl fmt::Debug for BackupSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BackupSecretKey({}, …)", self.public().id())
    }
}

impl BackupPublicKey {
    /// The first 16 hex digits of the key's SHA-256: what messages and the archive name.
    pub fn id(&self) -> String {
        hex::encode(key_id(&self.0))
    }

    pub fn to_text(&self) -> String {
        format!(
            "{PUBLIC_HEADER}\nkey-id: {}\nkey: {}\n",
            self.id(),
            B64.encode(self.0)
        )
    }

    pub fn from_text(text: &str) -> Result<Self> {
        let key = key_field(text, PUBLIC_HEADER, "key")?;
        Ok(BackupPublicKey(key))
    }
}

impl BackupSecretKey {
    pub fn generate() -> Self {
        BackupSecretKey(StaticSecret::random_from_rng(OsRng))
    }

    pub fn public(&self) -> BackupPublicKey {
        BackupPublicKey(*PublicKey::from(&self.0).as_bytes())
    }

    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{SECRET_HEADER}\nkey-id: {}\nsecret: {}\n",
            self.public().id(),
            B64.encode(self.0.as_bytes())
        ))
    }

    pub fn from_text(text: &str) -> Result<Self> {
        let secret = Zeroizing::new(key_field(text, SECRET_HEADER, "secret")?);
        Ok(BackupSecretKey(StaticSecret::from(*secret)))
    }
}

/// Reads `field` of a key file, and checks its `key-id` line when there is one.
fn key_field(text: &str, header: &str, field: &str) -> Result<[u8; 32]> {
    let bad =
        |line: usize, message: String| VaultError::BackupKey(format!("line {line}: {message}"));
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, l)) if l.trim() == header => {}
        Some((i, l)) => {
            return Err(bad(
                i + 1,
                format!("expected `{header}`, found `{}`", l.trim()),
            ))
        }
        None => return Err(bad(1, "file is empty".into())),
    }
    let (mut value, mut id) = (None, None);
    for (i, line) in lines {
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| bad(i + 1, "expected `name: value`".into()))?;
        match k.trim() {
            "key-id" => id = Some((i + 1, v.trim().to_string())),
            k if k == field => {
                let b = B64
                    .decode(v.trim())
                    .map_err(|e| bad(i + 1, format!("{field}: not base64 ({e})")))?;
                let b: [u8; 32] = b
                    .try_into()
                    .map_err(|_| bad(i + 1, format!("{field}: not a 32-byte key")))?;
                value = Some(b);
            }
            other => return Err(bad(i + 1, format!("unknown field `{other}`"))),
        }
    }
    let value = value.ok_or_else(|| bad(text.lines().count(), format!("missing `{field}`")))?;
    if let Some((line, id)) = id {
        let public = if field == "secret" {
            *PublicKey::from(&StaticSecret::from(value)).as_bytes()
        } else {
            value
        };
        let actual = hex::encode(key_id(&public));
        if id != actual {
            return Err(bad(
                line,
                format!("key-id {id} does not match the key (which is {actual})"),
            ));
        }
    }
    Ok(value)
}

/// Who can open a new archive.
pub enum Recipient<'a> {
    Key(&'a BackupPublicKey),
    Passphrase(&'a str, KdfParams),
}

/// What opens an archive.
pub enum Opener<'a> {
    Key(&'a BackupSecretKey),
    Passphrase(&'a str),
}

/// One member as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// The archive's last member: what it holds, so a restore can check every member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub kinga_version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub members: Vec<Member>,
}

impl Manifest {
    pub fn total_size(&self) -> u64 {
        self.members.iter().map(|m| m.size).sum()
    }
}

/// Member names are relative paths of plain components, so a restore writes only below the
/// directory it was given.
pub fn check_member_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 1024
        && name.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        });
    if ok {
        Ok(())
    } else {
        Err(VaultError::BackupDamaged(format!(
            "member name `{name}` is not a relative path of plain names"
        )))
    }
}

fn nonce(prefix: &[u8; 7], counter: u32, flag: u8) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..7].copy_from_slice(prefix);
    n[7..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = flag;
    n
}

fn archive_key(shared: &[u8], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(recipient);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand(KEY_INFO, &mut out[..]).expect("32 bytes");
    out
}

fn key_check(cipher: &Aes256Gcm, prefix: &[u8; 7], header: &[u8]) -> [u8; TAG] {
    let mut empty = Vec::new();
    let tag = cipher
        .encrypt_in_place_detached(
            Nonce::from_slice(&nonce(prefix, 0, CHECK_FLAG)),
            header,
            &mut empty,
        )
        .expect("AES-GCM of nothing");
    tag.into()
}

/// Writes an archive to `out`, one member at a time.
pub struct ArchiveWriter<W: Write> {
    out: W,
    cipher: Aes256Gcm,
    header: Vec<u8>,
    prefix: [u8; 7],
    counter: u32,
    plain: Vec<u8>,
    members: Vec<Member>,
    names: HashSet<String>,
    written: u64,
}

impl<W: Write> ArchiveWriter<W> {
    pub fn create(mut out: W, to: Recipient<'_>) -> Result<Self> {
        let mut prefix = [0u8; 7];
        OsRng.fill_bytes(&mut prefix);
        let mut header = MAGIC.to_vec();
        header.push(VERSION);
        let key = match to {
            Recipient::Key(public) => {
                header.push(KIND_KEY);
                header.extend_from_slice(&(CHUNK as u32).to_le_bytes());
                header.extend_from_slice(&prefix);
                let eph = StaticSecret::random_from_rng(OsRng);
                let eph_pub = *PublicKey::from(&eph).as_bytes();
                let shared = eph.diffie_hellman(&PublicKey::from(public.0));
                if !shared.was_contributory() {
                    return Err(VaultError::BackupKey(format!(
                        "backup key {} is not a usable X25519 public key",
                        public.id()
                    )));
                }
                header.extend_from_slice(&key_id(&public.0));
                header.extend_from_slice(&eph_pub);
                archive_key(shared.as_bytes(), &eph_pub, &public.0)
            }
            Recipient::Passphrase(pass, kdf) => {
                header.push(KIND_PASSPHRASE);
                header.extend_from_slice(&(CHUNK as u32).to_le_bytes());
                header.extend_from_slice(&prefix);
                let mut salt = [0u8; 16];
                OsRng.fill_bytes(&mut salt);
                for v in [kdf.memory_kib, kdf.iterations, kdf.parallelism] {
                    header.extend_from_slice(&v.to_le_bytes());
                }
                header.extend_from_slice(&salt);
                kdf.derive(pass, &salt)?
            }
        };
        let cipher = Aes256Gcm::new_from_slice(&key[..]).expect("32-byte key");
        let check = key_check(&cipher, &prefix, &header);
        header.extend_from_slice(&check);
        out.write_all(&header).map_err(VaultError::BackupWrite)?;
        Ok(ArchiveWriter {
            out,
            cipher,
            written: header.len() as u64,
            header,
            prefix,
            counter: 0,
            plain: Vec::with_capacity(CHUNK + TAG),
            members: Vec::new(),
            names: HashSet::new(),
        })
    }

    /// Bytes written to the output so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    fn seal(&mut self, last: bool) -> Result<()> {
        let n = nonce(&self.prefix, self.counter, u8::from(last));
        self.cipher
            .encrypt_in_place(Nonce::from_slice(&n), &self.header, &mut self.plain)
            .map_err(|_| VaultError::BackupDamaged("AES-GCM refused a chunk".into()))?;
        self.out
            .write_all(&self.plain)
            .map_err(VaultError::BackupWrite)?;
        self.written += self.plain.len() as u64;
        self.plain.clear();
        self.counter = self.counter.checked_add(1).ok_or_else(|| {
            VaultError::BackupDamaged("archive longer than 2^32 chunks (4 PiB)".into())
        })?;
        Ok(())
    }

    fn put(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            // A full chunk is sealed as "not last" only once more bytes are known to follow.
            if self.plain.len() == CHUNK {
                self.seal(false)?;
            }
            let n = (CHUNK - self.plain.len()).min(bytes.len());
            self.plain.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
        Ok(())
    }

    /// Streams `reader` into the archive as member `name`; `on_bytes` is told of each block.
    pub fn add(
        &mut self,
        name: &str,
        reader: &mut dyn Read,
        on_bytes: &mut dyn FnMut(u64),
    ) -> Result<&Member> {
        check_member_name(name)?;
        if !self.names.insert(name.to_string()) {
            return Err(VaultError::BackupDamaged(format!(
                "member {name} added twice"
            )));
        }
        self.put(b"F")?;
        self.put(&(name.len() as u16).to_le_bytes())?;
        self.put(name.as_bytes())?;
        let (size, sha256) = self.frames(reader, on_bytes, name)?;
        self.members.push(Member {
            path: name.to_string(),
            size,
            sha256,
        });
        Ok(self.members.last().expect("just pushed"))
    }

    fn frames(
        &mut self,
        reader: &mut dyn Read,
        on_bytes: &mut dyn FnMut(u64),
        name: &str,
    ) -> Result<(u64, String)> {
        let mut buf = vec![0u8; FRAME];
        let mut hash = Sha256::new();
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(VaultError::BackupDamaged(format!("reading {name}: {e}"))),
            };
            hash.update(&buf[..n]);
            size += n as u64;
            self.put(&(n as u32).to_le_bytes())?;
            self.put(&buf[..n])?;
            on_bytes(n as u64);
        }
        self.put(&0u32.to_le_bytes())?;
        Ok((size, hex::encode(hash.finalize())))
    }

    /// Writes the manifest, seals the last chunk and returns the output (to be synced).
    pub fn finish(mut self, created_at: &str, database: &str) -> Result<(W, Manifest)> {
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            created_at: created_at.into(),
            kinga_version: env!("CARGO_PKG_VERSION").into(),
            database: database.into(),
            members: std::mem::take(&mut self.members),
        };
        let json = serde_json::to_vec(&manifest).expect("serialisable");
        self.put(b"M")?;
        self.frames(&mut json.as_slice(), &mut |_| {}, "the manifest")?;
        self.seal(true)?;
        self.out.flush().map_err(VaultError::BackupWrite)?;
        Ok((self.out, manifest))
    }
}

/// Decrypts an archive chunk by chunk.
struct Stream<R: Read> {
    input: R,
    cipher: Aes256Gcm,
    header: Vec<u8>,
    prefix: [u8; 7],
    chunk: usize,
    counter: u32,
    offset: u64,
    carry: Option<u8>,
    plain: Vec<u8>,
    pos: usize,
    ended: bool,
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

impl<R: Read> Stream<R> {
    fn open(mut input: R, key: Opener<'_>) -> Result<Self> {
        let short = || {
            VaultError::BackupDamaged("the archive is truncated: it ends inside its header".into())
        };
        let mut fixed = [0u8; 8 + 1 + 1 + 4 + 7];
        let n = read_full(&mut input, &mut fixed).map_err(VaultError::BackupRead)?;
        if n < 8 || &fixed[..8] != MAGIC {
            return Err(VaultError::BackupDamaged(
                "not a Kinga backup archive (no KINGABAK header)".into(),
            ));
        }
        if n < fixed.len() {
            return Err(short());
        }
        if fixed[8] != VERSION {
            return Err(VaultError::BackupDamaged(format!(
                "archive format version {} (this kinga reads version {VERSION})",
                fixed[8]
            )));
        }
        let kind = fixed[9];
        let chunk = u32::from_le_bytes(fixed[10..14].try_into().expect("4")) as usize;
        if chunk == 0 || chunk > 64 << 20 {
            return Err(VaultError::BackupDamaged(format!(
                "the header's chunk size ({chunk} bytes) is damaged"
            )));
        }
        let prefix: [u8; 7] = fixed[14..21].try_into().expect("7");
        let mut header = fixed.to_vec();
        let key = match (kind, key) {
            (KIND_KEY, Opener::Key(secret)) => {
                let mut rest = [0u8; 8 + 32];
                if read_full(&mut input, &mut rest).map_err(VaultError::BackupRead)? < rest.len()
                {
                    return Err(short());
                }
                header.extend_from_slice(&rest);
                let public = secret.public();
                if rest[..8] != key_id(&public.0) {
                    return Err(VaultError::BackupKey(format!(
                        "the archive was encrypted to backup key {}, not to {} (the --key given)",
                        hex::encode(&rest[..8]),
                        public.id()
                    )));
                }
                let eph: [u8; 32] = rest[8..].try_into().expect("32");
                let shared = secret.0.diffie_hellman(&PublicKey::from(eph));
                archive_key(shared.as_bytes(), &eph, &public.0)
            }
            (KIND_PASSPHRASE, Opener::Passphrase(pass)) => {
                let mut rest = [0u8; 12 + 16];
                if read_full(&mut input, &mut rest).map_err(VaultError::BackupRead)? < rest.len()
                {
                    return Err(short());
                }
                header.extend_from_slice(&rest);
                let u = |i: usize| u32::from_le_bytes(rest[i..i + 4].try_into().expect("4"));
                let kdf = KdfParams {
                    memory_kib: u(0),
                    iterations: u(4),
                    parallelism: u(8),
                };
                // A damaged header must not make the restore allocate without bound.
                if kdf.memory_kib > 1 << 20 || kdf.iterations > 100 || kdf.parallelism > 64 {
                    return Err(VaultError::BackupDamaged(
                        "the header's passphrase parameters are damaged".into(),
                    ));
                }
                kdf.derive(pass, &rest[12..])?
            }
            (KIND_KEY, Opener::Passphrase(_)) => {
                return Err(VaultError::BackupKey(
                    "the archive is encrypted to a backup key: give its secret key file with --key"
                        .into(),
                ))
            }
            (KIND_PASSPHRASE, Opener::Key(_)) => {
                return Err(VaultError::BackupKey(
                    "the archive is encrypted with a passphrase, not a key: give the passphrase instead of --key"
                        .into(),
                ))
            }
            (other, _) => {
                return Err(VaultError::BackupDamaged(format!(
                    "unknown encryption kind {other} in the header"
                )))
            }
        };
        let cipher = Aes256Gcm::new_from_slice(&key[..]).expect("32-byte key");
        let mut check = [0u8; TAG];
        if read_full(&mut input, &mut check).map_err(VaultError::BackupRead)? < TAG {
            return Err(short());
        }
        if check != key_check(&cipher, &prefix, &header) {
            return Err(VaultError::BackupKey(match kind {
                KIND_KEY => "the key does not open this archive (or its header is damaged)".into(),
                _ => "wrong passphrase for this archive (or its header is damaged)".into(),
            }));
        }
        header.extend_from_slice(&check);
        Ok(Stream {
            input,
            cipher,
            offset: header.len() as u64,
            header,
            prefix,
            chunk,
            counter: 0,
            carry: None,
            plain: Vec::with_capacity(chunk + TAG),
            pos: 0,
            ended: false,
        })
    }

    /// Decrypts the next chunk; false once the last chunk was read.
    fn next_chunk(&mut self) -> Result<bool> {
        if self.ended {
            return Ok(false);
        }
        let full = self.chunk + TAG;
        self.plain.clear();
        self.plain.resize(full, 0);
        let mut got = 0;
        if let Some(b) = self.carry.take() {
            self.plain[0] = b;
            got = 1;
        }
        got +=
            read_full(&mut self.input, &mut self.plain[got..]).map_err(VaultError::BackupRead)?;
        self.plain.truncate(got);
        // A full record is the last one only if nothing follows it.
        let last = if got < full {
            true
        } else {
            let mut one = [0u8; 1];
            match read_full(&mut self.input, &mut one).map_err(VaultError::BackupRead)? {
                0 => true,
                _ => {
                    self.carry = Some(one[0]);
                    false
                }
            }
        };
        let (start, end) = (self.offset, self.offset + got as u64);
        let n = nonce(&self.prefix, self.counter, u8::from(last));
        let record = if last { Some(self.plain.clone()) } else { None };
        if self
            .cipher
            .decrypt_in_place(Nonce::from_slice(&n), &self.header, &mut self.plain)
            .is_err()
        {
            let chunk = self.counter + 1;
            if let Some(mut record) = record {
                let more = nonce(&self.prefix, self.counter, 0);
                let whole_but_not_last = got == full
                    && self
                        .cipher
                        .decrypt_in_place(Nonce::from_slice(&more), &self.header, &mut record)
                        .is_ok();
                return Err(VaultError::BackupDamaged(if whole_but_not_last {
                    format!("the archive is truncated: it ends after chunk {chunk} (byte {end}), which was not its last")
                } else {
                    format!("the archive is truncated or damaged: its last chunk, {chunk} (bytes {start}–{end}), fails authentication")
                }));
            }
            return Err(VaultError::BackupDamaged(format!(
                "chunk {chunk} (bytes {start}–{end}) is damaged or was altered: it fails authentication"
            )));
        }
        self.offset = end;
        self.counter += 1;
        self.pos = 0;
        self.ended = last;
        Ok(true)
    }

    /// Fills `out` entirely, or says what ended too soon.
    fn read_exact(&mut self, out: &mut [u8]) -> Result<()> {
        let mut got = 0;
        while got < out.len() {
            if self.pos == self.plain.len() && !self.next_chunk()? {
                return Err(VaultError::BackupDamaged(
                    "the archive's content ends before its manifest".into(),
                ));
            }
            let n = (self.plain.len() - self.pos).min(out.len() - got);
            out[got..got + n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
            self.pos += n;
            got += n;
        }
        Ok(())
    }

    /// True when every chunk was read and nothing is left.
    fn at_end(&mut self) -> Result<bool> {
        while self.pos == self.plain.len() {
            if !self.next_chunk()? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Where a restore puts each member.
pub trait Sink {
    /// A writer for member `name` (already checked by [`check_member_name`]).
    fn create(&mut self, name: &str) -> Result<Box<dyn Write>>;
    /// The member is complete; `writer` is what `create` returned (to sync and close).
    fn finish(&mut self, name: &str, writer: Box<dyn Write>) -> Result<()>;
    /// Bytes of members written so far, for progress.
    fn progress(&mut self, _bytes: u64) {}
}

/// Decrypts `input`, writes each member to `sink`, and checks every member against the
/// manifest (size and SHA-256, none missing, none extra). The caller discards what the sink
/// wrote if this fails: an error can come after many members were written.
pub fn extract<R: Read>(input: R, key: Opener<'_>, sink: &mut dyn Sink) -> Result<Manifest> {
    let mut s = Stream::open(input, key)?;
    let mut seen: Vec<Member> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut buf = vec![0u8; FRAME];
    loop {
        let mut kind = [0u8; 1];
        s.read_exact(&mut kind)?;
        match kind[0] {
            b'F' => {
                let mut len = [0u8; 2];
                s.read_exact(&mut len)?;
                let mut name = vec![0u8; u16::from_le_bytes(len) as usize];
                s.read_exact(&mut name)?;
                let name = String::from_utf8(name)
                    .map_err(|_| VaultError::BackupDamaged("a member name is not UTF-8".into()))?;
                check_member_name(&name)?;
                if !names.insert(name.clone()) {
                    return Err(VaultError::BackupDamaged(format!(
                        "member {name} appears twice"
                    )));
                }
                let mut w = sink.create(&name)?;
                let (size, sha256) = read_frames(&mut s, &mut buf, &name, &mut |bytes: &[u8]| {
                    w.write_all(bytes)
                        .map_err(|e| VaultError::BackupDamaged(format!("writing {name}: {e}")))
                })
                .map_err(|e| in_member(e, &name))?;
                sink.finish(&name, w)?;
                sink.progress(size);
                seen.push(Member {
                    path: name,
                    size,
                    sha256,
                });
            }
            b'M' => {
                let mut json = Vec::new();
                read_frames(&mut s, &mut buf, "the manifest", &mut |b: &[u8]| {
                    json.extend_from_slice(b);
                    Ok(())
                })?;
                if !s.at_end()? {
                    return Err(VaultError::BackupDamaged(
                        "content follows the manifest".into(),
                    ));
                }
                let manifest: Manifest = serde_json::from_slice(&json).map_err(|e| {
                    VaultError::BackupDamaged(format!("the manifest is not readable: {e}"))
                })?;
                check_against(&manifest, &seen)?;
                return Ok(manifest);
            }
            other => {
                return Err(VaultError::BackupDamaged(format!(
                    "unknown record 0x{other:02x} after {} member(s)",
                    seen.len()
                )))
            }
        }
    }
}

fn in_member(e: VaultError, name: &str) -> VaultError {
    match e {
        VaultError::BackupDamaged(m) if !m.starts_with("writing ") => {
            VaultError::BackupDamaged(format!("{m} (while reading member {name})"))
        }
        other => other,
    }
}

type FrameSink<'a> = dyn FnMut(&[u8]) -> Result<()> + 'a;

fn read_frames<R: Read>(
    s: &mut Stream<R>,
    buf: &mut [u8],
    name: &str,
    out: &mut FrameSink<'_>,
) -> Result<(u64, String)> {
    let mut hash = Sha256::new();
    let mut size = 0u64;
    loop {
        let mut len = [0u8; 4];
        s.read_exact(&mut len)?;
        let len = u32::from_le_bytes(len) as usize;
        if len == 0 {
            return Ok((size, hex::encode(hash.finalize())));
        }
        if len > buf.len() {
            return Err(VaultError::BackupDamaged(format!(
                "{name}: a frame of {len} bytes (at most {})",
                buf.len()
            )));
        }
        s.read_exact(&mut buf[..len])?;
        hash.update(&buf[..len]);
        size += len as u64;
        out(&buf[..len])?;
    }
}

fn check_against(manifest: &Manifest, seen: &[Member]) -> Result<()> {
    if manifest.format != MANIFEST_FORMAT {
        return Err(VaultError::BackupDamaged(format!(
            "manifest format `{}`, expected `{MANIFEST_FORMAT}`",
            manifest.format
        )));
    }
    let listed: HashMap<&str, &Member> = manifest
        .members
        .iter()
        .map(|m| (m.path.as_str(), m))
        .collect();
    let mut failures = Vec::new();
    for m in seen {
        match listed.get(m.path.as_str()) {
            None => failures.push(format!(
                "{}: in the archive but not in the manifest",
                m.path
            )),
            Some(l) if l.sha256 != m.sha256 || l.size != m.size => failures.push(format!(
                "{}: {} bytes with SHA-256 {}, the manifest says {} bytes with SHA-256 {}",
                m.path, m.size, m.sha256, l.size, l.sha256
            )),
            Some(_) => {}
        }
    }
    let present: HashSet<&str> = seen.iter().map(|m| m.path.as_str()).collect();
    for m in &manifest.members {
        if !present.contains(m.path.as_str()) {
            failures.push(format!("{}: in the manifest but missing", m.path));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(VaultError::BackupDamaged(format!(
            "members do not match the manifest: {}",
            failures.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> KdfParams {
        KdfParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[derive(Default)]
    struct Memory(Vec<(String, Vec<u8>)>);

    struct Buf(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct Collect {
        out: Memory,
        current: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
    }
    impl Sink for Collect {
        fn create(&mut self, _name: &str) -> Result<Box<dyn Write>> {
            self.current = Default::default();
            Ok(Box::new(Buf(self.current.clone())))
        }
        fn finish(&mut self, name: &str, _w: Box<dyn Write>) -> Result<()> {
            self.out
                .0
                .push((name.to_string(), self.current.borrow().clone()));
            Ok(())
        }
    }

    fn archive(to: Recipient<'_>, members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = ArchiveWriter::create(Vec::new(), to).unwrap();
        for (name, bytes) in members {
            w.add(name, &mut bytes.as_slice(), &mut |_| {}).unwrap();
        }
        w.finish("2026-12-07T00:00:00Z", "sqlite").unwrap().0
    }

    fn open(bytes: &[u8], key: Opener<'_>) -> Result<Vec<(String, Vec<u8>)>> {
        let mut c = Collect {
            out: Memory::default(),
            current: Default::default(),
        };
        extract(bytes, key, &mut c)?;
        Ok(c.out.0)
    }

    #[test]
    fn round_trip_with_a_key_and_a_passphrase() {
        let big: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i % 251) as u8).collect();
        let exact = vec![7u8; CHUNK - 3];
        let members = vec![
            ("kinga.db", big),
            ("vault/o/ab/cd/abcd", exact),
            ("empty", Vec::new()),
        ];
        let secret = BackupSecretKey::generate();
        let public = secret.public();
        let bytes = archive(Recipient::Key(&public), &members);
        let back = open(&bytes, Opener::Key(&secret)).unwrap();
        let want: Vec<(String, Vec<u8>)> = members
            .iter()
            .map(|(n, b)| (n.to_string(), b.clone()))
            .collect();
        assert_eq!(back, want);
        let bytes = archive(Recipient::Passphrase("a long passphrase", fast()), &members);
        assert_eq!(
            open(&bytes, Opener::Passphrase("a long passphrase")).unwrap(),
            want
        );
        let err = open(&bytes, Opener::Passphrase("another passphrase"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("wrong passphrase"), "{err}");
        let other = BackupSecretKey::generate();
        let bytes = archive(Recipient::Key(&public), &members);
        let err = open(&bytes, Opener::Key(&other)).unwrap_err().to_string();
        assert!(err.contains(&public.id()), "{err}");
    }

    #[test]
    fn truncation_and_flipped_bytes_are_named() {
        let secret = BackupSecretKey::generate();
        let body: Vec<u8> = (0..(2 * CHUNK + 5)).map(|i| (i * 7 % 256) as u8).collect();
        let bytes = archive(Recipient::Key(&secret.public()), &[("kinga.db", body)]);
        let full = CHUNK + TAG;
        let header = 8 + 1 + 1 + 4 + 7 + 8 + 32 + TAG;
        // Cut at a chunk boundary: the chunk before was not sealed as the last.
        let cut = &bytes[..header + full];
        let err = open(cut, Opener::Key(&secret)).unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = open(&bytes[..bytes.len() - 100], Opener::Key(&secret))
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        let mut bad = bytes.clone();
        bad[header + full + 100] ^= 1;
        let err = open(&bad, Opener::Key(&secret)).unwrap_err().to_string();
        assert!(
            err.contains("chunk 2 ") && err.contains("kinga.db"),
            "{err}"
        );
    }

    #[test]
    fn key_files_round_trip() {
        let s = BackupSecretKey::generate();
        let p = BackupPublicKey::from_text(&s.public().to_text()).unwrap();
        assert_eq!(p, s.public());
        let back = BackupSecretKey::from_text(&s.to_text()).unwrap();
        assert_eq!(back.public(), s.public());
        let err = BackupPublicKey::from_text(&s.to_text())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(check_member_name("../etc/passwd").is_err());
        assert!(check_member_name("/abs").is_err());
        assert!(check_member_name("vault/0193/ab/cd/ef01").is_ok());
    }
}
