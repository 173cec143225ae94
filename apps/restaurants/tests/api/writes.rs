use reqwest::StatusCode;

use crate::fixtures::{Fixtures, User, form, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_person_adds_a_restaurant_they_then_own() {
    let app = spawn_app().await;
    let cookie = app.signed_in("Ada").await;
    let owner = cookie.id;
    let res = app
        .call("/api/restaurants/create", &form(&[]), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.redirect_to().as_deref(), Some("/r/test-kitchen"));
    let stored: uuid::Uuid =
        sqlx::query_scalar("select owner_id from restaurants where slug = 'test-kitchen'")
            .fetch_one(&app.db.pool)
            .await
            .expect("row");
    assert_eq!(stored, owner);

    // Same name again: a new slug, not an error.
    let res = app
        .call("/api/restaurants/create", &form(&[]), Some(&cookie))
        .await;
    assert_eq!(res.redirect_to().as_deref(), Some("/r/test-kitchen-2"));

    let html = app
        .get("/r/test-kitchen", Some(&cookie))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        html.contains(r#"data-testid="edit-restaurant""#),
        "the owner gets an edit link"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_signed_out_can_add_or_edit() {
    let app = spawn_app().await;
    app.kitchen(uuid::Uuid::new_v4()).await;
    let before: i64 = sqlx::query_scalar("select count(*) from restaurants")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    let res = app.call("/api/restaurants/create", &form(&[]), None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let id: uuid::Uuid = sqlx::query_scalar("select id from restaurants limit 1")
        .fetch_one(&app.db.pool)
        .await
        .expect("id");
    let id = id.to_string();
    let mut f = form(&[]);
    f.push(("id", &id));
    let before_row: (String, String) =
        sqlx::query_as("select name, city from restaurants where id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .expect("row");
    let res = app.call("/api/restaurants/update", &f, None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let after_row: (String, String) =
        sqlx::query_as("select name, city from restaurants where id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .expect("row");
    assert_eq!(before_row, after_row, "the update changed nothing");
    let after: i64 = sqlx::query_scalar("select count(*) from restaurants")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_can_edit_a_restaurant() {
    let app = spawn_app().await;
    let owner = app.signed_in("Ada").await;
    let stranger = app.signed_in("Mallory").await;
    app.call("/api/restaurants/create", &form(&[]), Some(&owner))
        .await;
    let id: uuid::Uuid =
        sqlx::query_scalar("select id from restaurants where slug = 'test-kitchen'")
            .fetch_one(&app.db.pool)
            .await
            .expect("id");
    let id = id.to_string();

    let mut f = form(&[("name", "Hijacked")]);
    f.push(("id", &id));
    let res = app
        .call("/api/restaurants/update", &f, Some(&stranger))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .call(
            "/api/restaurants/for-edit",
            &[("slug", "test-kitchen")],
            Some(&stranger),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let name: String = sqlx::query_scalar("select name from restaurants where id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .expect("name");
    assert_eq!(name, "Test Kitchen");

    let mut f = form(&[("name", "Test Kitchen Deluxe"), ("city", "Evanston")]);
    f.push(("id", &id));
    let res = app.call("/api/restaurants/update", &f, Some(&owner)).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(
        res.redirect_to().as_deref(),
        Some("/r/test-kitchen"),
        "the slug stays"
    );
    let saved: (String, String, String) =
        sqlx::query_as("select name, city, slug from restaurants where id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .expect("row");
    assert_eq!(
        saved,
        (
            "Test Kitchen Deluxe".to_owned(),
            "Evanston".to_owned(),
            "test-kitchen".to_owned()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_names_its_field_and_writes_nothing() {
    let app = spawn_app().await;
    let cookie = app.signed_in("Ada").await;
    let before: i64 = sqlx::query_scalar("select count(*) from restaurants")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    let long = "x".repeat(101);
    for (field, value) in [
        ("name", ""),
        ("name", long.as_str()),
        ("cuisine", " "),
        ("city", ""),
        ("price_level", "9"),
        ("price_level", ""),
    ] {
        let res = app
            .call(
                "/api/restaurants/create",
                &form(&[(field, value)]),
                Some(&cookie),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value:?}: {:?}",
            res.body
        );
        assert_eq!(res.error_field().as_deref(), Some(field));
    }
    let res = app
        .call(
            "/api/restaurants/create",
            &[("name", "only a name")],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "missing fields: {:?}",
        res.body
    );
    let after: i64 = sqlx::query_scalar("select count(*) from restaurants")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_from_a_foreign_origin_is_refused_and_from_a_suite_origin_works() {
    let app = spawn_app().await;
    let cookie = app.signed_in("Ada").await;
    for origin in [
        Some("https://evil.com"),
        Some("http://restaurants.stepperslife.localhost.evil.com:3010"),
        None,
    ] {
        let res = app
            .call_from("/api/restaurants/create", &form(&[]), Some(&cookie), origin)
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{origin:?}");
        assert!(
            res.error_message()
                .contains("did not come from a SteppersLife page"),
            "{:?}",
            res.body
        );
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from restaurants")
            .fetch_one(&app.db.pool)
            .await
            .expect("count")
    };
    assert_eq!(count().await, 0, "nothing was created");
    let res = app
        .call_from(
            "/api/restaurants/create",
            &form(&[]),
            Some(&cookie),
            Some(&app.suite.portal()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(count().await, 1, "the suite's page created it");
    let owner: uuid::Uuid = sqlx::query_scalar("select owner_id from restaurants")
        .fetch_one(&app.db.pool)
        .await
        .expect("owner");
    assert_eq!(owner, cookie.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_the_session_never_writes_it() {
    let app = spawn_app().await;
    let cookie = app.signed_in("Ada").await;
    let before: (Vec<u8>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("select data, expiry_date from tower_sessions.session")
            .fetch_one(app.sessions_pool())
            .await
            .expect("row");
    app.get("/", Some(&cookie)).await;
    app.call("/api/restaurants/create", &form(&[]), Some(&cookie))
        .await;
    let after: (Vec<u8>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("select data, expiry_date from tower_sessions.session")
            .fetch_one(app.sessions_pool())
            .await
            .expect("row");
    assert_eq!(before, after);
    // Once the portal deletes it, this app sees nobody at the very next request.
    sqlx::query("delete from tower_sessions.session")
        .execute(app.sessions_pool())
        .await
        .expect("delete");
    let res = app
        .call("/api/restaurants/create", &form(&[]), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_zone_must_be_a_real_one() {
    let app = spawn_app().await;
    let cookie = app.signed_in("Ada").await;
    let mut f = form(&[]);
    f.push(("time_zone", "Mars/Olympus_Mons"));
    let res = app.call("/api/restaurants/create", &f, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_field().as_deref(), Some("time_zone"));

    let mut f = form(&[("name", "London Calling")]);
    f.push(("time_zone", "Europe/London"));
    let res = app.call("/api/restaurants/create", &f, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let zone: String =
        sqlx::query_scalar("select time_zone from restaurants where slug = 'london-calling'")
            .fetch_one(&app.db.pool)
            .await
            .expect("row");
    assert_eq!(zone, "Europe/London");
    // A form without the field gets the default zone.
    let res = app
        .call(
            "/api/restaurants/create",
            &form(&[("name", "Default Zone")]),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let zone: String =
        sqlx::query_scalar("select time_zone from restaurants where slug = 'default-zone'")
            .fetch_one(&app.db.pool)
            .await
            .expect("row");
    assert_eq!(zone, "America/Chicago");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sets_the_hours_and_a_bad_day_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.signed_in("Ada").await;
    let stranger = app.signed_in("Mallory").await;
    app.call("/api/restaurants/create", &form(&[]), Some(&owner))
        .await;
    let id: uuid::Uuid =
        sqlx::query_scalar("select id from restaurants where slug = 'test-kitchen'")
            .fetch_one(&app.db.pool)
            .await
            .expect("id");
    let id = id.to_string();
    let week = |friday: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("hours_0", String::new()),
            ("hours_1", "11:00-14:30, 17:00-22:00".into()),
            ("hours_2", "11:00-14:30, 17:00-22:00".into()),
            ("hours_3", "closed".into()),
            ("hours_4", friday.into()),
            ("hours_5", "12:00-02:00".into()),
            ("hours_6", String::new()),
        ]
    };
    let call = |who: Option<User>, days: Vec<(&'static str, String)>| {
        let id = id.clone();
        let app = &app;
        async move {
            let mut f: Vec<(&str, &str)> = vec![("id", id.as_str())];
            f.extend(days.iter().map(|(k, v)| (*k, v.as_str())));
            app.call("/api/restaurants/hours", &f, who.as_ref()).await
        }
    };
    // Every period stored, in order: (weekday, opens, closes).
    let hours = || async {
        sqlx::query_as::<_, (i16, String, String)>(
            "select o.weekday, to_char(o.opens, 'HH24:MI'), to_char(o.closes, 'HH24:MI')
             from opening_hours o join restaurants r on r.id = o.restaurant_id
             where r.slug = 'test-kitchen' order by o.weekday, o.opens",
        )
        .fetch_all(&app.db.pool)
        .await
        .expect("hours")
    };
    let saved = |list: &[(i16, &str, &str)]| -> Vec<(i16, String, String)> {
        list.iter()
            .map(|(d, o, c)| (*d, (*o).to_owned(), (*c).to_owned()))
            .collect()
    };

    let res = call(Some(owner.clone()), week("17:00-02:00")).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.redirect_to().as_deref(), Some("/r/test-kitchen"));
    let week_hours = saved(&[
        (1, "11:00", "14:30"),
        (1, "17:00", "22:00"),
        (2, "11:00", "14:30"),
        (2, "17:00", "22:00"),
        (4, "17:00", "02:00"),
        (5, "12:00", "02:00"),
    ]);
    assert_eq!(hours().await, week_hours);

    // One bad day (Friday's periods overlap): nothing of the week changes, not even the good
    // days in the same form.
    let mut bad = week("17:00-16:00, 16:30-18:00");
    bad[1].1 = "09:00-10:00".into();
    let res = call(Some(owner.clone()), bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_field().as_deref(), Some("hours_4"));
    assert_eq!(hours().await, week_hours, "a bad day changes nothing");

    let res = call(Some(stranger), week("")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = call(None, week("")).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(hours().await, week_hours);

    let html = app
        .get("/r/test-kitchen", None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        html.contains("17:00–02:00 (next day)"),
        "the week's hours are shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn working_in_an_app_keeps_the_session_alive_but_never_brings_one_back() {
    let app = spawn_app().await;
    let ada = app.signed_in("Ada").await;
    let sessions = app.sessions_pool();
    let row = sso::stored_id(&ada.session.parse().expect("session id"));
    let deadline = || async {
        sqlx::query_scalar::<_, Option<chrono::DateTime<chrono::Utc>>>(
            "select max(expiry_date) from tower_sessions.session where id = $1",
        )
        .bind(&row)
        .fetch_one(sessions)
        .await
        .expect("deadline")
    };
    // Two minutes of idle time left, as after a while without use.
    sqlx::query(
        "update tower_sessions.session set expiry_date = now() + interval '2 minutes' where id = $1",
    )
    .bind(&row)
    .execute(sessions)
    .await
    .expect("deadline set");
    let html = app
        .get("/new", Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("Ada"), "still signed in");
    let moved = deadline().await.expect("the session is there");
    let left = moved - chrono::Utc::now();
    assert!(
        left > chrono::Duration::minutes(55),
        "used in this app, the session has its whole idle time again: {left}"
    );
    // Signed out meanwhile (the portal deleted the row): the app's request brings nothing
    // back, and is a visitor's.
    sqlx::query("delete from tower_sessions.session where id = $1")
        .bind(&row)
        .execute(sessions)
        .await
        .expect("signed out");
    let res = app.get("/new", Some(&ada)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sent to sign in");
    assert_eq!(deadline().await, None, "the session stays gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_at_its_absolute_lifetime_and_a_kept_one_lasts_longer() {
    let app = spawn_app().await;
    let hours_ago = |h: i64| sso::SessionReader::now() - h * 3600;
    // The harness' absolute lifetime is an hour; a kept session's is the default 30 days.
    let plain = app.signed_in_since("Plain", hours_ago(2)).await;
    let kept = app.kept_signed_in_since("Kept", hours_ago(2)).await;
    assert_eq!(
        app.get("/new", Some(&plain)).await.status(),
        StatusCode::SEE_OTHER,
        "past its absolute lifetime"
    );
    assert_eq!(app.get("/new", Some(&kept)).await.status(), StatusCode::OK);
    let old = app.kept_signed_in_since("Old", hours_ago(31 * 24)).await;
    assert_eq!(
        app.get("/new", Some(&old)).await.status(),
        StatusCode::SEE_OTHER,
        "even a kept session ends 30 days after sign-in"
    );
}
