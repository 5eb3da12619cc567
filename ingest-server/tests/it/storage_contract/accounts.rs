//! Users and logins: unique names, logins found only by their token hash and only
//! until they expire or end, and the app role allowed to do all of it.

use ingest_server::auth::Role;
use ingest_server::storage::{NewLogin, NewUser, StorageError};

use crate::support::{Backend, test_store};

fn user(name: &str, role: Role) -> NewUser {
    NewUser {
        name: name.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role,
        created_at_ms: 10,
    }
}

fn login(token: u8, user: &str, expires_at_ms: i64) -> NewLogin {
    NewLogin {
        token_hash: [token; 32],
        user: user.into(),
        csrf_token: format!("csrf-{token}"),
        created_at_ms: 100,
        expires_at_ms,
    }
}

crate::both_backends!(users_are_unique_and_logins_end_when_they_expire_or_are_deleted);
async fn users_are_unique_and_logins_end_when_they_expire_or_are_deleted(backend: Backend) {
    let t = test_store(backend).await;
    t.store
        .create_user(&user("alice", Role::Reviewer))
        .await
        .expect("created");
    t.store
        .create_user(&user("bob", Role::Support))
        .await
        .expect("created");
    let again = t.store.create_user(&user("alice", Role::Admin)).await;
    assert!(
        matches!(again, Err(StorageError::Duplicate { .. })),
        "{again:?}"
    );
    let names: Vec<(String, Role)> = t
        .store
        .list_users()
        .await
        .expect("list")
        .into_iter()
        .map(|u| (u.name, u.role))
        .collect();
    assert_eq!(
        names,
        [
            ("alice".to_owned(), Role::Reviewer),
            ("bob".to_owned(), Role::Support)
        ]
    );
    assert_eq!(t.store.user("nobody").await.expect("lookup"), None);

    t.store
        .create_login(&login(1, "alice", 1_000))
        .await
        .expect("login");
    let found = t
        .store
        .login(&[1; 32], 999)
        .await
        .expect("lookup")
        .expect("live");
    assert_eq!(found.user.name, "alice");
    assert_eq!(found.csrf_token, "csrf-1");
    assert_eq!(
        t.store.login(&[1; 32], 1_000).await.expect("lookup"),
        None,
        "expired at 1000"
    );
    assert_eq!(
        t.store.login(&[2; 32], 500).await.expect("lookup"),
        None,
        "unknown token"
    );

    // A new login sweeps expired ones away.
    t.store
        .create_login(&login(3, "bob", 5_000))
        .await
        .expect("login");
    let later = NewLogin {
        created_at_ms: 2_000,
        ..login(4, "bob", 9_000)
    };
    t.store.create_login(&later).await.expect("login");
    assert_eq!(
        t.store.login(&[1; 32], 0).await.expect("lookup"),
        None,
        "swept"
    );
    assert!(
        t.store
            .login(&[3; 32], 2_500)
            .await
            .expect("lookup")
            .is_some()
    );

    t.store.delete_login(&[3; 32]).await.expect("deleted");
    assert_eq!(t.store.login(&[3; 32], 2_500).await.expect("lookup"), None);
}
