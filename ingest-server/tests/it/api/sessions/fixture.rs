//! Four recorded sessions that differ in every way the session list filters and
//! sorts by. Ids are assigned in ascending order, so ties break predictably.

use uuid::Uuid;

use super::events::*;
use super::wait_for_index;
use crate::api::harness::TestApp;

/// | session | project | starts | duration | errors | clicks | rage | dead | events |
/// | s1      | shop    | +1000  | 5000     | 2      | 3      | 1    | 0    | 11     |
/// | s2      | shop    | +2000  | 20000    | 0      | 1      | 0    | 1    | 6      |
/// | s3      | shop    | +3000  | 100      | 1      | 0      | 0    | 0    | 2      |
/// | s4      | news    | +4000  | 1000     | 0      | 1      | 0    | 0    | 5      |
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    pub s1: Uuid,
    pub s2: Uuid,
    pub s3: Uuid,
    pub s4: Uuid,
}

pub async fn record_fixture(app: &TestApp) -> Fixture {
    let mut ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
    ids.sort();
    let f = Fixture {
        s1: ids[0],
        s2: ids[1],
        s3: ids[2],
        s4: ids[3],
    };
    // s1: a checkout with a rage click that the page answered, across two batches.
    record(
        app,
        f.s1,
        vec![
            vec![
                meta(1000, "https://shop.example/checkout?step=1"),
                identify(1010, "alice", &[("plan", "pro"), ("country", "de")]),
                click(1100, 5),
                click(1300, 5),
                click(1500, 5),
            ],
            vec![
                mutation(1600),
                error(2000),
                nav(2500, "https://shop.example/checkout/pay"),
                error(3000),
                track(4000, "purchase"),
                mutation(6000),
            ],
        ],
    )
    .await;
    // s2: browsing; one click nothing answered within a second.
    record(
        app,
        f.s2,
        vec![
            vec![
                meta(2000, "https://shop.example/products"),
                identify(2010, "bob", &[("plan", "free")]),
                nav(2100, "https://shop.example/products/42"),
                click(3000, 7),
            ],
            vec![track(4500, "wishlist"), mutation(22_000)],
        ],
    )
    .await;
    // s3: a short visit to another site of the project, with an error.
    record(
        app,
        f.s3,
        vec![vec![meta(3000, "https://blog.example/post"), error(3100)]],
    )
    .await;
    // s4: another project.
    let news = add_project(app, "news").await;
    record_with_key(
        app,
        &news,
        f.s4,
        vec![vec![
            meta(4000, "https://news.example/"),
            click(4100, 3),
            mutation(4200),
            mutation(4500),
            mutation(5000),
        ]],
    )
    .await;
    wait_for_index(app, 4).await;
    f
}
