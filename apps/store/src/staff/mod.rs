//! A shop's staff: its owner makes a single-use invitation link (valid 7 days); a signed-in
//! person who opens it joins and works the shop's orders (accept, ship, ready for pickup,
//! delivered); the owner removes them at any time. Only the owner changes the shop, its
//! products and its staff, and cancels an order with a refund. The statements are the app
//! kit's ([`appkit::staff`]), over the store's tables.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::{
    ErrorBox, FormError,
    staff::{InviteLink, JoinButton, JoinInvitation, RemoveButton, StaffMember, StaffMembers},
};
use uuid::Uuid;

/// The owner's shop and its staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopStaff {
    pub name: String,
    pub staff: Vec<StaffMember>,
    /// The invitation link just made (shown once).
    pub invite_link: Option<String>,
}

/// A shop the signed-in person works at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffedShop {
    pub slug: String,
    pub name: String,
}

/// The signed-in owner's shop's staff (`invite`: the token of a link just made).
#[server(prefix = "/api/shop-staff", endpoint = "list")]
pub async fn get_shop_staff(invite: String) -> Result<ShopStaff, AppError> {
    ssr::list(invite).await.map_err(AppError::respond)
}

/// A new invitation link, shown once on the staff page.
#[server(prefix = "/api/shop-staff", endpoint = "invite")]
pub async fn invite_shop_staff() -> Result<(), AppError> {
    ssr::invite()
        .await
        .map(|token| leptos_axum::redirect(&format!("/dashboard/staff?invite={token}")))
        .map_err(AppError::respond)
}

#[server(prefix = "/api/shop-staff", endpoint = "remove")]
pub async fn remove_shop_staff(user_id: Uuid) -> Result<(), AppError> {
    ssr::remove(user_id)
        .await
        .map(|()| leptos_axum::redirect("/dashboard/staff"))
        .map_err(AppError::respond)
}

/// The name of the shop an invitation is for, while it can be used.
#[server(prefix = "/api/shop-staff", endpoint = "invitation")]
pub async fn get_shop_invitation(token: String) -> Result<String, AppError> {
    ssr::invitation(token).await.map_err(AppError::respond)
}

/// Joins the shop's staff, then opens its orders.
#[server(prefix = "/api/shop-staff", endpoint = "join")]
pub async fn join_shop_staff(token: String) -> Result<(), AppError> {
    ssr::join(token)
        .await
        .map(|slug| leptos_axum::redirect(&format!("/dashboard/orders?shop={slug}")))
        .map_err(AppError::respond)
}

/// The shops the signed-in person works at.
#[server(prefix = "/api/shop-staff", endpoint = "mine")]
pub async fn my_staffed_shops() -> Result<Vec<StaffedShop>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

/// `/dashboard/staff`.
#[component]
pub fn StaffPage() -> impl IntoView {
    let invite_token = move || {
        use_query_map()
            .read_untracked()
            .get("invite")
            .unwrap_or_default()
    };
    let data = Resource::new_blocking(invite_token, get_shop_staff);
    let invite = ServerAction::<InviteShopStaff>::new();
    let remove = ServerAction::<RemoveShopStaff>::new();
    let error = Signal::derive(move || {
        invite
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    view! {
        <Title text="Staff"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(d) => view! {
                        <div class="mx-auto max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
                            <p class="text-sm"><a class="underline" href="/dashboard">{d.name}</a></p>
                            <h1 class="text-2xl font-bold">"Staff"</h1>
                            <p class="mt-1 text-sm text-slate-600">"Staff see the shop's orders and move them on: accept, ship, ready for pickup, delivered. They cannot change the shop, its products or its staff, nor cancel an order."</p>
                            <FormError error/>
                            <StaffMembers members=d.staff remove=move |user_id: Uuid| view! {
                                <ActionForm action=remove>
                                    <input type="hidden" name="user_id" value=user_id.to_string()/>
                                    <RemoveButton/>
                                </ActionForm>
                            }/>
                            <ActionForm action=invite attr:class="mt-6">
                                <button class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800" data-testid="create-invite">"Create an invitation link"</button>
                            </ActionForm>
                            {d.invite_link.map(|link| view! { <InviteLink link/> })}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/staff/join/{token}`.
#[component]
pub fn JoinStaffPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let info = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_shop_invitation,
    );
    let join = ServerAction::<JoinShopStaff>::new();
    let error = Signal::derive(move || join.value().get().and_then(Result::err));
    view! {
        <JoinInvitation info token what="You will see the shop's orders and move them on." form=move |token: String| view! {
            <ActionForm action=join attr:class="mt-4 space-y-3">
                <input type="hidden" name="token" value=token/>
                <FormError error/>
                <JoinButton/>
            </ActionForm>
        }/>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{require_user, staff::Joined};
    use platform::AppError;
    use uuid::Uuid;

    use super::{ShopStaff, StaffedShop};
    use crate::access::ssr::{STAFF, own_shop};

    pub async fn list(invite: String) -> Result<ShopStaff, AppError> {
        let (state, user) = require_user().await?;
        let shop = own_shop(&state.pool, user.id).await?;
        Ok(ShopStaff {
            staff: STAFF.members(&state.pool, shop.id).await?,
            invite_link: appkit::staff::invite_link(&state, "/staff/join", &invite),
            name: shop.name,
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn invite() -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let shop = own_shop(&state.pool, user.id).await?;
        STAFF.invite(&state.pool, shop.id, user.id).await
    }

    #[tracing::instrument(skip_all, fields(%member))]
    pub async fn remove(member: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let shop = own_shop(&state.pool, user.id).await?;
        STAFF.remove(&state.pool, shop.id, member).await
    }

    fn unusable() -> AppError {
        AppError::not_found(
            "This invitation link has expired or was already used. Ask the shop's owner for a new one.",
        )
    }

    pub async fn invitation(token: String) -> Result<String, AppError> {
        let (state, _) = require_user().await?;
        STAFF
            .invitation(&state.pool, &token)
            .await?
            .ok_or_else(unusable)
    }

    /// Joins; the shop's slug.
    #[tracing::instrument(skip_all)]
    pub async fn join(token: String) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        match STAFF.join(&state.pool, &token, &user).await? {
            Joined::Member(shop) => {
                tracing::info!(user_id = %user.id, %shop, "joined a shop's staff");
                crate::shops::db::by_id(&state.pool, shop)
                    .await?
                    .map(|s| s.slug)
                    .ok_or_else(|| AppError::not_found("There is no such shop."))
            }
            Joined::Unusable => Err(unusable()),
            Joined::Owner => Err(AppError::Conflict {
                field: None,
                message: "This is your own shop; send the link to the person you want to add."
                    .into(),
            }),
        }
    }

    pub async fn mine() -> Result<Vec<StaffedShop>, AppError> {
        let (state, user) = require_user().await?;
        Ok(crate::shops::db::staffed_by(&state.pool, user.id)
            .await?
            .into_iter()
            .map(|s| StaffedShop {
                slug: s.slug,
                name: s.name,
            })
            .collect())
    }
}
