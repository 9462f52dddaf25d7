use crate::support::{content, fast_kdf, org};
use kinga_vault::keys::{LockedKeys, OrgPublicKeys, OrgSecretKeys};
use kinga_vault::words::{share_from_words, share_to_words};
use kinga_vault::{copy_blob, intake, shamir, IntakeOptions, VaultError};

#[test]
fn intake_needs_only_the_public_key_and_rotation_leaves_blobs_alone() {
    let dir = tempfile::tempdir().unwrap();
    let old = org();
    let locked = old
        .lock_with("a long field passphrase", fast_kdf())
        .unwrap()
        .to_json();
    let public = LockedKeys::from_json(&locked).unwrap().public().unwrap();
    let data = content(100_000, 1);
    let got = intake(dir.path(), &data[..], &public, &IntakeOptions::default()).unwrap();
    let sealed_before = std::fs::read(&got.path).unwrap();

    let unlocked = LockedKeys::from_json(&locked)
        .unwrap()
        .unlock("a long field passphrase")
        .unwrap();
    let new = OrgSecretKeys::generate("kenya-hrc");
    let rewrapped = unlocked.rewrap(&got.wrapped_key, &new.public()).unwrap();
    let key = new.unwrap(&rewrapped).unwrap();
    let mut back = Vec::new();
    copy_blob(dir.path(), &got.sha256, &key, "ev-1", &mut back).unwrap();
    assert_eq!(back, data);
    assert_eq!(std::fs::read(&got.path).unwrap(), sealed_before);
    assert!(old.unwrap(&rewrapped).is_err());
}

#[test]
fn wrong_passphrase_is_named_and_changes_nothing() {
    let keys = org();
    let locked = keys.lock_with("correct horse battery", fast_kdf()).unwrap();
    let text = locked.to_json();
    let err = locked.unlock("Correct horse battery").unwrap_err();
    assert!(matches!(err, VaultError::WrongPassphrase { .. }));
    assert_eq!(
        err.to_string(),
        "wrong passphrase for the keys of organisation kenya-hrc"
    );
    assert_eq!(locked.to_json(), text);
    // Swapping in another organisation's public keys is caught too.
    let mut forged = locked.clone();
    forged.encryption_key =
        LockedKeys::from_json(&org().lock_with("x", fast_kdf()).unwrap().to_json())
            .unwrap()
            .encryption_key;
    assert!(forged.unlock("correct horse battery").is_err());
}

#[test]
fn trustees_recover_the_keys_from_any_three_of_five_word_shares() {
    let keys = org();
    let secret = keys.secret_bytes();
    let words: Vec<String> = shamir::split(&secret, 3, 5)
        .unwrap()
        .iter()
        .map(share_to_words)
        .collect();
    for pick in [[0usize, 1, 2], [4, 2, 0], [1, 3, 4], [3, 0, 4]] {
        let shares: Vec<_> = pick
            .iter()
            .map(|&i| share_from_words(&words[i]).unwrap())
            .collect();
        let back = shamir::combine(&shares).unwrap();
        let recovered = OrgSecretKeys::from_secret_bytes("kenya-hrc", &back).unwrap();
        assert_eq!(recovered.public(), keys.public());
    }
    let two: Vec<_> = words[..2]
        .iter()
        .map(|w| share_from_words(w).unwrap())
        .collect();
    let err = shamir::combine(&two).unwrap_err().to_string();
    assert!(err.contains("3 needed"), "{err}");
    // A trustee mistypes one word for another word of the list: the checksum catches it.
    let mut typo: Vec<&str> = words[0].split_whitespace().collect();
    typo[10] = if typo[10] == "acid" { "acorn" } else { "acid" };
    let err = share_from_words(&typo.join(" ")).unwrap_err().to_string();
    assert!(err.contains("checksum"), "{err}");
}

#[test]
fn public_key_file_is_what_verifiers_read() {
    let p = org().public();
    let text = p.to_text();
    assert!(text.starts_with("kinga-org-public-keys v1\norg: kenya-hrc\n"));
    assert_eq!(OrgPublicKeys::from_text(&text).unwrap(), p);
    let err = OrgPublicKeys::from_text(&text.replace("signing-key: ", "signing-key: !!"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 6") && err.contains("base64"), "{err}");
}
