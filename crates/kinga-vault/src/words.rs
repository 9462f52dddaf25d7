//! Recovery shares as words a trustee can write down and read back over a bad phone line.
//! The list is this project's own: 256 common English nouns, one per byte, no two sharing their
//! first four letters (so four letters are enough when typing one back). A share reads
//! `version, index, threshold, data…, checksum(2)`, so a mistyped or swapped word is caught.
use crate::shamir::Share;
use crate::{Result, VaultError};
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;

pub const WORDS: [&str; 256] = [
    "acid", "acorn", "actor", "adapt", "adult", "agent", "alarm", "album", "alert", "alien",
    "alley", "almond", "alpha", "amber", "anchor", "angle", "ankle", "apple", "april", "apron",
    "arch", "arena", "armor", "arrow", "atlas", "atom", "attic", "audio", "autumn", "axis",
    "bacon", "badge", "bagel", "baker", "bamboo", "banana", "banjo", "barrel", "basket", "beach",
    "beaver", "bench", "berry", "bison", "boat", "bonus", "border", "bottle", "branch", "brick",
    "bridge", "broom", "bucket", "bugle", "button", "cabin", "cactus", "camel", "canal", "candle",
    "canoe", "canvas", "canyon", "carbon", "carpet", "carrot", "castle", "cedar", "cello",
    "cement", "chalk", "cherry", "chess", "circle", "clover", "coast", "cobalt", "cocoa", "comet",
    "copper", "coral", "cotton", "cradle", "crater", "cycle", "daisy", "dancer", "delta", "desert",
    "dinner", "donkey", "dragon", "drum", "eagle", "echo", "elbow", "ember", "engine", "falcon",
    "feather", "fence", "fiber", "fiddle", "finch", "flute", "forest", "fossil", "galaxy",
    "garden", "garlic", "gecko", "ginger", "globe", "grape", "gravel", "guitar", "hammer",
    "harbor", "hazel", "helmet", "heron", "hockey", "honey", "hornet", "hotel", "igloo", "island",
    "ivory", "jacket", "jaguar", "jelly", "jewel", "jigsaw", "jungle", "kayak", "kernel", "kettle",
    "kiwi", "koala", "ladder", "lagoon", "lemon", "lentil", "lily", "lizard", "locket", "magnet",
    "mango", "maple", "marble", "meadow", "melon", "mirror", "monkey", "motor", "muffin", "museum",
    "napkin", "nectar", "needle", "nickel", "noodle", "nutmeg", "oasis", "ocean", "olive", "onion",
    "orange", "orbit", "otter", "oven", "oyster", "paddle", "palace", "panda", "paper", "parrot",
    "pasta", "peach", "pebble", "pencil", "pepper", "piano", "pillow", "pilot", "pine", "planet",
    "plum", "pocket", "polar", "pony", "potato", "puzzle", "quartz", "quilt", "rabbit", "radar",
    "radio", "raft", "raven", "ribbon", "river", "robin", "rocket", "rose", "ruby", "saddle",
    "salmon", "sandal", "satin", "saucer", "scarf", "seed", "shadow", "shell", "silver", "sketch",
    "sled", "socket", "spider", "spoon", "squash", "stamp", "statue", "stove", "sugar", "summer",
    "sunset", "swan", "table", "tango", "teapot", "tennis", "tiger", "timber", "toast", "tomato",
    "torch", "tower", "tulip", "tunnel", "turtle", "valley", "velvet", "violin", "wafer", "wagon",
    "walnut", "wheat", "willow", "window", "winter", "wizard", "wolf", "yacht", "zebra",
];

fn checksum(bytes: &[u8]) -> [u8; 2] {
    let d = Sha256::digest(bytes);
    [d[0], d[1]]
}

/// The share as words, eight to a line.
pub fn share_to_words(share: &Share) -> String {
    let mut bytes = vec![VERSION, share.index, share.threshold];
    bytes.extend_from_slice(&share.data);
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum);
    bytes
        .chunks(8)
        .map(|line| {
            line.iter()
                .map(|&b| WORDS[b as usize])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn word_value(word: &str) -> Option<u8> {
    let w = word.to_ascii_lowercase();
    if let Some(i) = WORDS.iter().position(|x| *x == w) {
        return Some(i as u8);
    }
    if w.len() >= 4 {
        let mut hits = WORDS
            .iter()
            .enumerate()
            .filter(|(_, x)| x.starts_with(&w[..4]));
        if let (Some((i, _)), None) = (hits.next(), hits.next()) {
            return Some(i as u8);
        }
    }
    None
}

/// Reads a share back; a word not in the list is named by its position, any other slip fails the
/// checksum.
pub fn share_from_words(text: &str) -> Result<Share> {
    let mut bytes = Vec::new();
    for (i, word) in text.split_whitespace().enumerate() {
        let b = word_value(word).ok_or_else(|| {
            VaultError::Shares(format!("word {} `{word}` is not in the word list", i + 1))
        })?;
        bytes.push(b);
    }
    if bytes.len() < 6 {
        return Err(VaultError::Shares(format!(
            "a share has at least 6 words, this one has {}",
            bytes.len()
        )));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 2);
    if checksum(body) != sum {
        return Err(VaultError::Shares(
            "checksum does not match: a word is mistyped, missing or out of order".into(),
        ));
    }
    if body[0] != VERSION {
        return Err(VaultError::Shares(format!(
            "share format version {} is not known",
            body[0]
        )));
    }
    Ok(Share {
        index: body[1],
        threshold: body[2],
        data: body[3..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_unique_by_four_letters() {
        let mut p: Vec<&str> = WORDS.iter().map(|w| &w[..4.min(w.len())]).collect();
        p.sort();
        p.dedup();
        assert_eq!(p.len(), 256);
    }

    #[test]
    fn round_trip_and_typos() {
        let share = Share {
            index: 4,
            threshold: 3,
            data: (0..=255u8).collect(),
        };
        let text = share_to_words(&share);
        assert_eq!(share_from_words(&text).unwrap(), share);
        // Four-letter prefixes are accepted.
        let short: String = text
            .split_whitespace()
            .map(|w| &w[..4.min(w.len())])
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(share_from_words(&short).unwrap(), share);
        let mut words: Vec<&str> = text.split_whitespace().collect();
        words[7] = "qwerty";
        let err = share_from_words(&words.join(" ")).unwrap_err().to_string();
        assert!(err.contains("word 8 `qwerty`"), "{err}");
        let mut words: Vec<&str> = text.split_whitespace().collect();
        words.swap(10, 11);
        let err = share_from_words(&words.join(" ")).unwrap_err().to_string();
        assert!(err.contains("checksum"), "{err}");
    }
}
