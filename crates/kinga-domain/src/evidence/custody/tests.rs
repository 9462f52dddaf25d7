use super::*;

fn chain(n: usize) -> Vec<CustodyEntry> {
    let mut v: Vec<CustodyEntry> = Vec::new();
    for (i, kind) in CustodyKind::ALL.into_iter().cycle().take(n).enumerate() {
        let e = CustodyDraft {
            item: "ev-1".into(),
            kind,
            actor: format!("user-{i}"),
            at: Utc::now(),
            detail: format!("step {i}"),
        }
        .chain(v.last());
        v.push(e);
    }
    v
}

#[test]
fn intact_chain_verifies() {
    verify_custody("ev-1", &chain(10)).unwrap();
    verify_custody("ev-1", &[]).unwrap();
    for k in CustodyKind::ALL {
        assert_eq!(CustodyKind::parse(k.as_str()), Some(k));
    }
}

#[test]
fn edits_drops_and_swaps_are_named() {
    let mut c = chain(5);
    c[2].detail = "step two, rewritten".into();
    let err = verify_custody("ev-1", &c).unwrap_err().to_string();
    assert!(err.contains("entry 3") && err.contains("altered"), "{err}");

    let mut c = chain(5);
    c.remove(1);
    let err = verify_custody("ev-1", &c).unwrap_err().to_string();
    assert!(err.contains("expected entry 2"), "{err}");

    let mut c = chain(5);
    c[3].seq = 5;
    c[4].seq = 4;
    c.swap(3, 4);
    let err = verify_custody("ev-1", &c).unwrap_err().to_string();
    assert!(err.contains("entry 4"), "{err}");

    let c = chain(2);
    let err = verify_custody("ev-2", &c).unwrap_err().to_string();
    assert!(err.contains("belongs to item ev-1"), "{err}");
}

#[test]
fn an_unknown_stored_kind_is_named() {
    assert_eq!(CustodyKind::parse("shred"), None);
    let err = "shred".parse::<CustodyKind>().unwrap_err();
    assert_eq!(err.to_string(), "'shred' is not a custody event kind");
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Entries 4 and 5 of the dossier in `crates/kinga/tests/fixtures/dossier-v0.1`, as stored
/// events, and a sixth with no detail.
fn release_0_1_events() -> Vec<CustodyEvent> {
    let id: EvidenceId = "01a25270-3d56-744b-bd39-8892af5c6f59".parse().unwrap();
    let mut verify = CustodyEvent {
        id: CustodyEventId::new(),
        evidence_id: id,
        seq: 4,
        kind: CustodyKind::Verify,
        actor: "system:evidence-verify".into(),
        at: at("2026-12-07T21:36:57.291794Z"),
        detail: Some("intact: sealed file and decrypted content match their SHA-256".into()),
        prev_hash: "c46106add0db022776ee1dd2d09bb2580c26209901e660939f5dc3a675fdc551".into(),
        entry_hash: String::new(),
    };
    verify.entry_hash = verify.compute_hash();
    let transfer = CustodyEvent::next(
        Some(&verify),
        id,
        CustodyKind::Transfer,
        "system:evidence-custody",
        at("2026-12-07T21:36:57.304117Z"),
        Some("to Synthetic Court Registry; test courier, receipt 0001".into()),
    );
    let request = CustodyEvent::next(
        Some(&transfer),
        id,
        CustodyKind::DeletionRequest,
        "legal@fixture.example",
        at("2026-12-08T09:00:00Z"),
        None,
    );
    vec![verify, transfer, request]
}

/// Dossiers already signed must verify, and new ones must verify with older verifiers: the JSON
/// of these entries is what release 0.1's vault wrote for the same events, byte for byte.
#[test]
fn dossier_entries_are_byte_for_byte_those_of_release_0_1() {
    let entries: Vec<CustodyEntry> = release_0_1_events()
        .iter()
        .map(CustodyEvent::entry)
        .collect();
    assert_eq!(
        serde_json::to_string_pretty(&entries).unwrap(),
        include_str!("release-0.1-entries.json")
    );
    assert_eq!(
        entries[0].hash,
        "df0f8141b478e719fe0a5a77cfacb01a561041b5165e2225c7f9cd00049b18e9"
    );
    assert_eq!(
        entries[1].hash,
        "cb9e246a73e9fbb27b368083f160058f52231895226c792debe0a5b51e173ad3"
    );
    let read: Vec<CustodyEntry> =
        serde_json::from_str(include_str!("release-0.1-entries.json")).unwrap();
    assert_eq!(read, entries);
    for (e, r) in release_0_1_events().iter().zip(&read) {
        assert_eq!(e.entry_hash, r.compute_hash());
    }
}

#[test]
fn a_stored_chain_and_its_dossier_form_are_one_chain() {
    let id = EvidenceId::new();
    let now = crate::time::now();
    let mut events: Vec<CustodyEvent> = Vec::new();
    for (kind, detail) in [
        (CustodyKind::Receive, Some("12 bytes".to_string())),
        (CustodyKind::Hash, None),
        (
            CustodyKind::Export,
            Some("original in dossier d.zip".into()),
        ),
    ] {
        events.push(CustodyEvent::next(
            events.last(),
            id,
            kind,
            "legal@irri.org",
            now,
            detail,
        ));
    }
    check_custody_chain(&events).unwrap();
    let entries: Vec<CustodyEntry> = events.iter().map(CustodyEvent::entry).collect();
    verify_custody(&id.to_string(), &entries).unwrap();

    let mut forged = events.clone();
    forged[1].detail = Some("rewritten".into());
    let err = check_custody_chain(&forged).unwrap_err();
    assert_eq!(
        err,
        format!("evidence {id} custody event 2: its hash does not match its content")
    );
    let entries: Vec<CustodyEntry> = forged.iter().map(CustodyEvent::entry).collect();
    assert_eq!(
        verify_custody(&id.to_string(), &entries)
            .unwrap_err()
            .to_string(),
        format!(
            "custody chain of evidence {id}: entry 2: content does not match its hash (altered)"
        )
    );

    let err = check_custody_chain(&events[1..]).unwrap_err();
    assert_eq!(
        err,
        format!("evidence {id} custody event 2: expected sequence number 1")
    );
    let mut relinked = events.clone();
    relinked[2].prev_hash = GENESIS.into();
    let err = check_custody_chain(&relinked).unwrap_err();
    assert_eq!(
        err,
        format!("evidence {id} custody event 3: its prev_hash does not match the event before it")
    );
}
