//! Projects: created once, found by their write key, never duplicated.

use ingest_server::storage::StorageError;

use super::new_project;
use crate::support::{Backend, test_store};

crate::both_backends!(projects_are_created_found_by_key_and_unique);
async fn projects_are_created_found_by_key_and_unique(backend: Backend) {
    let t = test_store(backend).await;
    let shop = new_project("shop", "awk_shop");

    let created = t.store.create_project(&shop).await.expect("created");

    assert_eq!(created.id, "shop");
    assert_eq!(created.allowed_origins, shop.allowed_origins);
    let found = t
        .store
        .project_by_write_key("awk_shop")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found, created);
    assert_eq!(
        t.store
            .project_by_write_key("awk_nope")
            .await
            .expect("lookup"),
        None
    );

    let same_id = t
        .store
        .create_project(&new_project("shop", "awk_other"))
        .await;
    assert!(
        matches!(same_id, Err(StorageError::Duplicate { .. })),
        "{same_id:?}"
    );
    let same_key = t
        .store
        .create_project(&new_project("other", "awk_shop"))
        .await;
    match same_key {
        Err(StorageError::Duplicate { what }) => assert!(what.contains("write key"), "{what}"),
        other => panic!("expected Duplicate, got {other:?}"),
    }

    t.store
        .create_project(&new_project("blog", "awk_blog"))
        .await
        .expect("second project");
    let ids: Vec<String> = t
        .store
        .list_projects()
        .await
        .expect("list")
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["blog", "shop"]);
}
