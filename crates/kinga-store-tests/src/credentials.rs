//! Tokens, sessions and failed sign-ins as an attacker holding the database would try them:
//! a session row written by hand (second factor marked done) opens nothing and `verify` names
//! it; revoked and expired tokens open nothing; failed sign-ins are counted in the database.
use crate::{actor, org, user, RawSql};
use kinga_domain::Role;
use kinga_store::*;

fn token(hash: &str, user: kinga_domain::ids::UserId, days: i64) -> NewApiToken {
    NewApiToken {
        token_hash: hash.into(),
        user,
        expires_at: chrono::Utc::now() + chrono::Duration::days(days),
        second_factor: false,
    }
}

pub async fn credentials_story(store: &dyn Store, raw: RawSql<'_>) {
    let sys = Actor::system("conformance");
    let o = store
        .add_organisation(&sys, org("irri", "IRRI", &[]))
        .await
        .unwrap();
    let admin = user(store, &o, Role::Admin, "admin@irri.org").await;
    let analyst = user(store, &o, Role::Analyst, "analyst@irri.org").await;

    // Tokens: live, expired, revoked one by one or all at once.
    for (h, days) in [("t-live", 30), ("t-other", 30), ("t-third", 30)] {
        store
            .add_api_token(&sys, &token(h, analyst.id, days))
            .await
            .unwrap();
    }
    store
        .add_api_token(
            &sys,
            &NewApiToken {
                expires_at: chrono::Utc::now() - chrono::Duration::seconds(1),
                ..token("t-expired", analyst.id, 0)
            },
        )
        .await
        .unwrap();
    assert!(store.user_by_token("t-live").await.unwrap().is_some());
    assert!(store.user_by_token("t-expired").await.unwrap().is_none());
    assert_eq!(
        store
            .revoke_api_tokens(&sys, analyst.id, Some("t-live"))
            .await
            .unwrap(),
        1
    );
    assert!(store.user_by_token("t-live").await.unwrap().is_none());
    assert!(store.user_by_token("t-other").await.unwrap().is_some());
    assert!(matches!(
        store
            .revoke_api_tokens(&sys, admin.id, Some("t-other"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .revoke_api_tokens(&sys, analyst.id, None)
            .await
            .unwrap(),
        3,
        "the rest, the expired one included"
    );
    assert!(store.user_by_token("t-other").await.unwrap().is_none());
    assert_eq!(store.verify().await.unwrap().first_break, None);

    // A revoked token brought back by hand is named by verify.
    raw("UPDATE api_tokens SET revoked_at = NULL WHERE token_hash = 't-other'".into()).await;
    let broken = store.verify().await.unwrap().first_break.expect("a break");
    assert!(broken.contains("t-other"), "{broken}");
    raw("UPDATE api_tokens SET revoked_at = (SELECT revoked_at FROM api_tokens WHERE token_hash = 't-third') WHERE token_hash = 't-other'".into()).await;

    // Sessions: opened, confirmed and closed through the store are in the chain.
    let session = Session {
        id_hash: "s-admin".into(),
        user_id: admin.id,
        csrf_token: "csrf".into(),
        second_factor_done: false,
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
    };
    store
        .create_session(&actor(&admin), &session)
        .await
        .unwrap();
    assert!(store.session("s-admin").await.unwrap().is_some());
    assert_eq!(store.verify().await.unwrap().first_break, None);

    // The second factor marked done by hand: the session opens nothing, verify names it.
    raw("UPDATE sessions SET second_factor_done = 1 WHERE id_hash = 's-admin'".into()).await;
    assert!(store.session("s-admin").await.unwrap().is_none());
    let broken = store.verify().await.unwrap().first_break.expect("a break");
    assert!(broken.contains("s-admin"), "{broken}");
    raw("UPDATE sessions SET second_factor_done = 0 WHERE id_hash = 's-admin'".into()).await;
    assert!(store.session("s-admin").await.unwrap().is_some());

    // A whole session row written by hand.
    let expires = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    raw(format!(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, second_factor_done, expires_at) VALUES ('s-forged', '{}', 'x', 1, '{expires}')",
        admin.id
    ))
    .await;
    assert!(store.session("s-forged").await.unwrap().is_none());
    let broken = store.verify().await.unwrap().first_break.expect("a break");
    assert!(broken.contains("s-forged"), "{broken}");
    raw("DELETE FROM sessions WHERE id_hash = 's-forged'".into()).await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    store
        .confirm_second_factor(&actor(&admin), "s-admin")
        .await
        .unwrap();
    assert!(
        store
            .session("s-admin")
            .await
            .unwrap()
            .unwrap()
            .second_factor_done
    );
    store
        .delete_session(&actor(&admin), "s-admin")
        .await
        .unwrap();
    assert!(store.session("s-admin").await.unwrap().is_none());
    assert_eq!(store.verify().await.unwrap().first_break, None);

    // Edit locks: taken and released through the store they are in the chain; one written by
    // hand (to block the owner's analysts) is named.
    let mut new = crate::incident("Market attack", "2013-12-05", &["war_crimes"]);
    new.visibility = kinga_domain::Visibility::Organisation;
    let inc = store.create_incident(&actor(&analyst), new).await.unwrap();
    let sc = crate::scope(&analyst, &[o.id]);
    store
        .lock_incident(&actor(&analyst), &sc, inc.id, chrono::Duration::minutes(30))
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);
    store
        .unlock_incident(&actor(&analyst), inc.id)
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);
    raw(format!(
        "INSERT INTO incident_locks (incident_id, user_id, user_label, since) VALUES ('{}', '{}', 'intruder', '{expires}')",
        inc.id, admin.id
    ))
    .await;
    let broken = store.verify().await.unwrap().first_break.expect("a break");
    assert!(broken.contains(&inc.id.to_string()), "{broken}");
    raw("DELETE FROM incident_locks".into()).await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    // Failed sign-ins: counted per key, in the database, within a window.
    let window = chrono::Duration::minutes(15);
    assert_eq!(
        store.sign_in_failures("email:a", window).await.unwrap(),
        None
    );
    let failing = (0..4).map(|_| store.record_sign_in_failure("email:a", window));
    for r in futures::future::join_all(failing).await {
        r.unwrap();
    }
    store
        .record_sign_in_failure("email:b", window)
        .await
        .unwrap();
    assert_eq!(
        store
            .sign_in_failures("email:a", window)
            .await
            .unwrap()
            .unwrap()
            .count,
        4,
        "failures at once all count"
    );
    assert!(
        store
            .sign_in_failures("email:a", chrono::Duration::zero())
            .await
            .unwrap()
            .is_none(),
        "outside the window nothing counts"
    );
    store.clear_sign_in_failures("email:a").await.unwrap();
    assert_eq!(
        store.sign_in_failures("email:a", window).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .sign_in_failures("email:b", window)
            .await
            .unwrap()
            .unwrap()
            .count,
        1
    );
}
