//! Streaming intake: one pass over the bytes. The calling thread reads and hashes each chunk; a
//! second thread encrypts and writes it (two cores, bounded channel, a fixed pool of chunk
//! buffers, so memory stays flat whatever the size). The blob is written to a temporary file,
//! synced, then renamed to its content address, so an interrupted intake leaves nothing.
use crate::blob::{self, blob_path, DEFAULT_CHUNK, HEADER_LEN, TAG_LEN};
use crate::capture::{capture_metadata, capture_metadata_sampled, CaptureMetadata};
use crate::keys::{DataKey, OrgPublicKeys, WrappedKey};
use crate::media::{sniff, MediaType};
use crate::phash::PerceptualHash;
use crate::{Result, VaultError};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::Nonce;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Bytes kept from the start of the content for metadata (EXIF sits at the front of a JPEG).
const HEAD_LIMIT: usize = 256 << 10;
/// Bytes kept from the end, for media whose length is written last (an Ogg stream's final page
/// holds its sample count; two maximal pages fit).
const TAIL_LIMIT: usize = 128 << 10;
/// Larger images (in pixels) get no perceptual hash at intake.
const MAX_HASHED_PIXELS: u64 = 16_000_000;
/// Images up to this size are kept whole while streaming, to compute the perceptual hash.
const IMAGE_LIMIT: usize = 24 << 20;

#[derive(Clone, Debug)]
pub struct IntakeOptions {
    /// The size announced by the uploader (Content-Length): fewer bytes means an interrupted
    /// upload, refused with nothing stored.
    pub expected_len: Option<u64>,
    /// The SHA-256 announced by the uploader (hex): other content is refused before it takes its
    /// place in the vault.
    pub expected_sha256: Option<String>,
    pub chunk_size: usize,
    /// Flush the blob to the disk before it takes its content address (the default). Only
    /// benchmarks comparing with tools that do not sync turn it off.
    pub durable: bool,
    /// Content larger than this is refused as soon as the stream passes it, with nothing stored.
    pub max_len: Option<u64>,
}

impl Default for IntakeOptions {
    fn default() -> Self {
        IntakeOptions {
            expected_len: None,
            expected_sha256: None,
            chunk_size: DEFAULT_CHUNK,
            durable: true,
            max_len: None,
        }
    }
}

/// What intake learnt and made. The caller records all of it with the evidence item.
#[derive(Debug)]
pub struct Intake {
    /// SHA-256 of the content as received: the content address and the evidentiary hash.
    pub sha256: String,
    pub size: u64,
    pub media: MediaType,
    /// The item's data key, wrapped to the organisation's encryption key.
    pub wrapped_key: WrappedKey,
    /// SHA-256 of the sealed file, for checking the disk without any key.
    pub sealed_sha256: String,
    pub path: PathBuf,
    /// True when a blob with this content address was already in `root` and was kept as it is;
    /// the new data key was then discarded, and the caller must use the wrapped key recorded
    /// with the earlier item (see [`crate::blob`] on one root per organisation).
    pub already_stored: bool,
    pub capture: CaptureMetadata,
    pub perceptual_hash: Option<PerceptualHash>,
    /// The sealed file while it waits in the vault's temporary folder for its content address
    /// ([`seal`]); removed if the intake is dropped before [`Intake::place`].
    pending: Option<PendingBlob>,
}

/// A sealed file not yet at its content address.
#[derive(Debug)]
struct PendingBlob(TempFile);

impl Intake {
    /// Moves the sealed file to its content address, replacing whatever is there. The caller
    /// holds the content's [`crate::blob::BlobLock`] and has checked that no record names a
    /// blob there: a file without a record is what a crashed intake leaves, and is replaced.
    pub fn place(&mut self) -> Result<()> {
        let Some(PendingBlob(mut tmp)) = self.pending.take() else {
            return Ok(());
        };
        let from = tmp.0.take().expect("a pending blob has its file");
        let dir = self.path.parent().expect("blob has a parent");
        fs::create_dir_all(dir).map_err(|e| VaultError::io(dir, e))?;
        if let Err(e) = fs::rename(&from, &self.path) {
            let _ = fs::remove_file(&from);
            return Err(VaultError::io(&self.path, e));
        }
        self.already_stored = false;
        sync_dir(dir)
    }

    /// Gives up the sealed file: the content is already stored under the key recorded with it.
    pub fn discard(&mut self) {
        self.pending = None;
        self.already_stored = true;
    }

    /// Where [`seal`] left the content: placed (the file at `path` is this intake's, or was
    /// kept as it was) or still waiting.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }
}

struct Chunk {
    buf: Vec<u8>,
    len: usize,
    last: bool,
}

/// Deletes the temporary file unless the intake completed.
#[derive(Debug)]
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

fn fill(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(VaultError::Read(e)),
        }
    }
    Ok(got)
}

/// Hashes, encrypts and stores `reader` under `root`, wrapping the fresh data key to `recipient`.
/// Content already at its address is kept as it is (`already_stored`). Callers that record
/// the blob in the store use [`seal`] and place it under the content's lock instead, since
/// between this check and a record another intake of the same content can interleave.
pub fn intake(
    root: &Path,
    reader: impl Read,
    recipient: &OrgPublicKeys,
    options: &IntakeOptions,
) -> Result<Intake> {
    let mut sealed = seal(root, reader, recipient, options)?;
    if sealed.path.exists() {
        sealed.discard();
    } else {
        sealed.place()?;
    }
    Ok(sealed)
}

/// Hashes and encrypts `reader` into a temporary file under `root`, wrapping the fresh data key
/// to `recipient`; [`Intake::place`] or [`Intake::discard`] decides what becomes of it.
pub fn seal(
    root: &Path,
    mut reader: impl Read,
    recipient: &OrgPublicKeys,
    options: &IntakeOptions,
) -> Result<Intake> {
    let chunk = options.chunk_size.clamp(4096, 16 << 20);
    let tmp_dir = root.join("tmp");
    fs::create_dir_all(&tmp_dir).map_err(|e| VaultError::io(&tmp_dir, e))?;
    let mut name = [0u8; 12];
    OsRng.fill_bytes(&mut name);
    let tmp_path = tmp_dir.join(format!("intake-{}", hex::encode(name)));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp_path)
        .map_err(|e| VaultError::io(&tmp_path, e))?;
    let guard = TempFile(Some(tmp_path.clone()));

    let key = DataKey::generate();
    let mut prefix = [0u8; 7];
    OsRng.fill_bytes(&mut prefix);
    let header = blob::header(chunk as u32, &prefix);

    let (to_writer, from_reader) = sync_channel::<Chunk>(2);
    let (to_pool, pool) = sync_channel::<Vec<u8>>(BUFFERS);
    for _ in 0..BUFFERS {
        to_pool
            .send(vec![0u8; chunk + TAG_LEN])
            .expect("pool has room");
    }

    let (read_result, write_result) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            seal_chunks(
                file,
                &tmp_path,
                &key,
                header,
                options.durable,
                from_reader,
                to_pool,
            )
        });
        let r = read_chunks(&mut reader, chunk, options, to_writer, pool);
        (r, writer.join().expect("sealing thread does not panic"))
    });
    // A failure of the sealing side (disk full) explains a failure of the reading side.
    let sealed_sha256 = write_result?;
    let (sha256, size, head, whole, tail) = read_result?;
    let sealed_sha256 = sealed_sha256.ok_or_else(|| VaultError::Interrupted("abandoned".into()))?;
    if let Some(want) = &options.expected_sha256 {
        if !want.eq_ignore_ascii_case(&sha256) {
            return Err(VaultError::HashMismatch {
                item: "being received".into(),
                expected: want.to_ascii_lowercase(),
                actual: sha256,
            });
        }
    }

    let path = blob_path(root, &sha256);

    let media = sniff(&head);
    let capture = if ["image/", "audio/", "video/"]
        .iter()
        .any(|p| media.mime.starts_with(p))
    {
        match whole.as_deref() {
            Some(w) => capture_metadata(w),
            None => capture_metadata_sampled(&head, &tail, size),
        }
    } else {
        CaptureMetadata::default()
    };
    // Decoding costs about four bytes per pixel; past this the hash is left to a later job.
    let pixels = capture.width.unwrap_or(0) as u64 * capture.height.unwrap_or(0) as u64;
    let perceptual_hash = whole
        .filter(|_| pixels <= MAX_HASHED_PIXELS)
        .and_then(|w| PerceptualHash::of_image(&w).ok());
    Ok(Intake {
        sha256,
        size,
        media,
        wrapped_key: recipient.wrap(&key),
        sealed_sha256,
        path,
        already_stored: false,
        capture,
        perceptual_hash,
        pending: Some(PendingBlob(guard)),
    })
}

type ReadOutcome = (String, u64, Vec<u8>, Option<Vec<u8>>, Vec<u8>);

fn read_chunks(
    reader: &mut impl Read,
    chunk: usize,
    options: &IntakeOptions,
    to_writer: SyncSender<Chunk>,
    pool: Receiver<Vec<u8>>,
) -> Result<ReadOutcome> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head: Vec<u8> = Vec::new();
    let mut whole: Option<Vec<u8>> = None;
    let mut tail: Vec<u8> = Vec::new();
    // If the sealing thread has stopped, its error is the one reported.
    let writer_gone = || VaultError::Interrupted("the sealing side stopped".into());
    let mut take = |buf: &[u8], size: &mut u64, head: &mut Vec<u8>, whole: &mut Option<Vec<u8>>| {
        hasher.update(buf);
        *size += buf.len() as u64;
        let keep = buf.len().min(TAIL_LIMIT);
        let drop = (tail.len() + keep).saturating_sub(TAIL_LIMIT);
        tail.drain(..drop);
        tail.extend_from_slice(&buf[buf.len() - keep..]);
        if head.len() < HEAD_LIMIT {
            let n = (HEAD_LIMIT - head.len()).min(buf.len());
            head.extend_from_slice(&buf[..n]);
        }
        if *size == buf.len() as u64 && is_image(buf) {
            *whole = Some(Vec::new());
        }
        if let Some(w) = whole.as_mut() {
            if w.len() + buf.len() <= IMAGE_LIMIT {
                w.extend_from_slice(buf);
            } else {
                *whole = None;
            }
        }
    };
    let mut cur = pool.recv().map_err(|_| writer_gone())?;
    let mut n = fill(reader, &mut cur[..chunk])?;
    take(&cur[..n], &mut size, &mut head, &mut whole);
    check_max(options, size)?;
    loop {
        if n < chunk {
            check_len(options, size)?;
            to_writer
                .send(Chunk {
                    buf: cur,
                    len: n,
                    last: true,
                })
                .map_err(|_| writer_gone())?;
            break;
        }
        let mut next = pool.recv().map_err(|_| writer_gone())?;
        let m = fill(reader, &mut next[..chunk])?;
        if m == 0 {
            check_len(options, size)?;
            to_writer
                .send(Chunk {
                    buf: cur,
                    len: n,
                    last: true,
                })
                .map_err(|_| writer_gone())?;
            break;
        }
        to_writer
            .send(Chunk {
                buf: cur,
                len: n,
                last: false,
            })
            .map_err(|_| writer_gone())?;
        take(&next[..m], &mut size, &mut head, &mut whole);
        // More bytes than announced or allowed: stop reading now rather than at the end.
        if options.expected_len.is_some_and(|e| size > e) {
            check_len(options, size)?;
        }
        check_max(options, size)?;
        cur = next;
        n = m;
    }
    Ok((hex::encode(hasher.finalize()), size, head, whole, tail))
}

fn is_image(head: &[u8]) -> bool {
    head.starts_with(&[0xff, 0xd8, 0xff]) || head.starts_with(b"\x89PNG\r\n\x1a\n")
}

fn check_max(options: &IntakeOptions, received: u64) -> Result<()> {
    match options.max_len {
        Some(limit) if received > limit => Err(VaultError::TooLarge { limit }),
        _ => Ok(()),
    }
}

fn check_len(options: &IntakeOptions, received: u64) -> Result<()> {
    match options.expected_len {
        Some(expected) if expected != received => {
            Err(VaultError::Incomplete { expected, received })
        }
        _ => Ok(()),
    }
}

fn seal_chunks(
    file: File,
    path: &Path,
    key: &DataKey,
    header: [u8; HEADER_LEN],
    durable: bool,
    chunks: Receiver<Chunk>,
    pool: SyncSender<Vec<u8>>,
) -> Result<Option<String>> {
    let io = |e| VaultError::io(path, e);
    if !durable {
        return seal_into(file, path, key, header, chunks, pool, None);
    }
    // Written pages are pushed to the disk while encryption goes on, so the final fsync finds
    // little left to do.
    let flusher = file.try_clone().map_err(io)?;
    let (kick, kicks) = sync_channel::<()>(1);
    std::thread::scope(|s| {
        let background = s.spawn(move || {
            while kicks.recv().is_ok() {
                let _ = flusher.sync_data();
            }
        });
        let r = seal_into(file, path, key, header, chunks, pool, Some(kick));
        let _ = background.join();
        r
    })
}

/// Chunk buffers in flight: two on the reading side, one being sealed, two being hashed.
const BUFFERS: usize = 5;

/// Bytes written between two background flushes.
const FLUSH_EVERY: u64 = 32 << 20;

fn seal_into(
    file: File,
    path: &Path,
    key: &DataKey,
    header: [u8; HEADER_LEN],
    chunks: Receiver<Chunk>,
    pool: SyncSender<Vec<u8>>,
    kick: Option<SyncSender<()>>,
) -> Result<Option<String>> {
    let durable = kick.is_some();
    // The sealed file's own hash runs on a third thread: with hashing of the content on the
    // reading side and encryption here, the work then spreads evenly over two cores.
    let (to_hasher, hashing) = sync_channel::<(Vec<u8>, usize)>(2);
    std::thread::scope(|s| {
        let hasher = s.spawn(move || {
            let mut sealed = Sha256::new();
            sealed.update(header);
            while let Ok((buf, n)) = hashing.recv() {
                sealed.update(&buf[..n]);
                let _ = pool.send(buf);
            }
            hex::encode(sealed.finalize())
        });
        let r = encrypt_and_write(file, path, key, header, chunks, to_hasher, kick);
        let sealed = hasher.join().expect("hashing thread does not panic");
        match r {
            Ok(Some(file)) => {
                if durable {
                    file.sync_all().map_err(|e| VaultError::io(path, e))?;
                }
                Ok(Some(sealed))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        }
    })
}

fn encrypt_and_write(
    file: File,
    path: &Path,
    key: &DataKey,
    header: [u8; HEADER_LEN],
    chunks: Receiver<Chunk>,
    to_hasher: SyncSender<(Vec<u8>, usize)>,
    kick: Option<SyncSender<()>>,
) -> Result<Option<File>> {
    let cipher = blob::cipher(key);
    let io = |e| VaultError::io(path, e);
    let mut unflushed = 0u64;
    let mut out = BufWriter::with_capacity(1 << 16, file);
    out.write_all(&header).map_err(io)?;
    let mut counter: u32 = 0;
    loop {
        // A closed channel before the last chunk means the reading side failed: abandon.
        let Ok(Chunk { mut buf, len, last }) = chunks.recv() else {
            return Ok(None);
        };
        let nonce = blob::nonce(&header[16..23], counter, last);
        let tag = cipher
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), &header, &mut buf[..len])
            .expect("AES-GCM encryption of a bounded chunk");
        buf[len..len + TAG_LEN].copy_from_slice(&tag);
        out.write_all(&buf[..len + TAG_LEN]).map_err(io)?;
        unflushed += (len + TAG_LEN) as u64;
        if let Some(k) = kick.as_ref().filter(|_| unflushed >= FLUSH_EVERY) {
            out.flush().map_err(io)?;
            // A flush already under way covers this one too.
            let _ = k.try_send(());
            unflushed = 0;
        }
        counter = counter
            .checked_add(1)
            .ok_or_else(|| VaultError::Interrupted("content too large for one blob".into()))?;
        if to_hasher.send((buf, len + TAG_LEN)).is_err() {
            return Ok(None);
        }
        if last {
            break;
        }
    }
    Ok(Some(out.into_inner().map_err(|e| io(e.into_error()))?))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| VaultError::io(dir, e))
}
