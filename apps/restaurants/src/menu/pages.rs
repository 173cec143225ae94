//! The menu editor: `/dashboard/r/:slug/menu`. Owners edit sections, items, choices and
//! photos; staff switch items sold out. The editor is an island; its forms work without
//! JavaScript too.

use api::restaurants::{DIETARY_TAGS, MenuCategory, MenuItem, OptionGroup};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use platform::AppError;
use platform::money::format_cents;
use ui::{ErrorBox, FormError, NotFound, SubmitButton, TextField, use_hydrated, use_live};
use uuid::Uuid;

use super::{
    AddCategory, AddItem, AddOption, AddOptionGroup, DeleteCategory, DeleteItem, DeleteOption,
    DeleteOptionGroup, MenuEditor, RenameCategory, SetSoldOut, UpdateItem, get_menu_editor,
};
use platform::money::cents_for_form;

/// Bumped after every successful edit: the editor reloads the menu.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

/// A server action that makes the editor reload once it succeeds.
macro_rules! edit_action {
    ($t:ty) => {{
        let action = ServerAction::<$t>::new();
        let changed = expect_context::<Changed>().0;
        Effect::new(move |_| {
            if matches!(action.value().get(), Some(Ok(_))) {
                changed.update(|n| *n = n.wrapping_add(1));
            }
        });
        action
    }};
}

const SMALL_BUTTON: &str =
    "rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100";
const DANGER_BUTTON: &str =
    "rounded-md border border-red-300 px-2 py-1 text-sm text-red-700 hover:bg-red-50";

#[component]
pub fn MenuEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = params.read_untracked().get("slug").unwrap_or_default();
    let editor = Resource::new_blocking(move || slug.clone(), get_menu_editor);
    // A failed photo upload comes back here with its code; the message is the page's own.
    let upload_error = query
        .read_untracked()
        .get(platform::upload::QUERY_PARAM)
        .and_then(|code| platform::upload::Problem::message_for(&code));
    view! {
        <Title text="Menu"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || {
                let upload_error = upload_error.clone();
                Suspend::new(async move {
                    match editor.await {
                        Err(AppError::NotFound(_)) => view! { <NotFound what="restaurant"/> }.into_any(),
                        Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                        Ok(ed) => view! { <MenuEditorIsland initial=ed upload_error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The editor: each successful edit loads the menu again.
// An island of the owners' bundle (see the manifest's `manage_paths`).
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn MenuEditorIsland(initial: MenuEditor, upload_error: Option<String>) -> impl IntoView {
    let slug = initial.slug.clone();
    let changed = RwSignal::new(0u32);
    provide_context(Changed(changed));
    let editor = use_live(
        initial,
        0,
        Signal::derive(move || changed.get() as usize),
        move || get_menu_editor(slug.clone()),
    );
    let hydrated = use_hydrated();
    let editor_view = move || {
        let ed = editor.get();
        let owner = ed.role.is_owner();
        let rid = ed.restaurant_id;
        let sections: Vec<(Uuid, String)> = ed
            .menu
            .categories
            .iter()
            .map(|c| (c.id, c.name.clone()))
            .collect();
        view! {
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h1 class="text-2xl font-bold">{format!("Menu · {}", ed.name)}</h1>
                <div class="flex gap-3 text-sm">
                    <a class="underline" href=format!("/dashboard/r/{}/orders", ed.slug)>"Orders"</a>
                    <a class="underline" href=format!("/r/{}", ed.slug)>"See the page"</a>
                </div>
            </div>
            {upload_error.clone().map(|m| view! { <div class="mt-3"><ErrorBox message=m/></div> })}
            {(!owner).then(|| view! { <p class="mt-2 text-sm text-slate-600">"As staff you can mark dishes sold out. The owner edits the menu."</p> })}
            <div class="mt-4 space-y-6" data-testid="menu-editor">
                {ed.menu.categories.into_iter().map(|c| view! {
                    <CategoryBlock category=c owner restaurant_id=rid sections=sections.clone() slug=ed.slug.clone()/>
                }).collect_view()}
            </div>
            {owner.then(|| view! { <AddCategoryForm restaurant_id=rid/> })}
        }
    };
    view! { <div data-testid="editor" data-hydrated=move || hydrated.get().to_string()>{editor_view}</div> }
}

#[component]
fn AddCategoryForm(restaurant_id: Uuid) -> impl IntoView {
    let action = edit_action!(AddCategory);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-8 max-w-md space-y-2 rounded-lg border border-dashed border-slate-300 p-4" attr:data-testid="add-category">
            <input type="hidden" name="restaurant_id" value=restaurant_id.to_string()/>
            <TextField name="name" id="new-section-name" label="Add a menu section (e.g. Mains, Sides, Drinks)" required=true error/>
            <FormError error/>
            <SubmitButton label="Add section" pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
fn CategoryBlock(
    category: MenuCategory,
    owner: bool,
    restaurant_id: Uuid,
    sections: Vec<(Uuid, String)>,
    slug: String,
) -> impl IntoView {
    let rename = edit_action!(RenameCategory);
    let delete = edit_action!(DeleteCategory);
    let rename_error = Signal::derive(move || rename.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let cid = category.id;
    let name = category.name.clone();
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-4" data-testid="menu-section" data-section=category.name.clone()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 class="text-lg font-semibold">{category.name.clone()}</h2>
                {owner.then(|| view! {
                    <div class="flex items-center gap-2">
                        <details>
                            <summary class="cursor-pointer text-sm underline">"Rename"</summary>
                            <ActionForm action=rename attr:class="mt-2 space-y-2">
                                <input type="hidden" name="id" value=cid.to_string()/>
                                <TextField name="name" id=format!("rename-{cid}") label="Section name" value=name.clone() error=rename_error/>
                                <SubmitButton label="Rename" pending=rename.pending()/>
                            </ActionForm>
                        </details>
                        <ActionForm action=delete>
                            <input type="hidden" name="id" value=cid.to_string()/>
                            <button class=DANGER_BUTTON>"Delete section"</button>
                        </ActionForm>
                    </div>
                })}
            </div>
            <FormError error=delete_error/>
            <ul class="mt-2 divide-y divide-slate-100">
                {category.items.into_iter().map(|item| view! {
                    <ItemEditor item owner category_id=cid sections=sections.clone() slug=slug.clone()/>
                }).collect_view()}
            </ul>
            {owner.then(|| view! {
                <details class="mt-3" data-testid="add-item">
                    <summary class="cursor-pointer text-sm font-medium text-amber-700">"+ Add an item"</summary>
                    <NewItemForm restaurant_id category_id=cid sections=sections.clone()/>
                </details>
            })}
        </section>
    }
}

/// The fields of an item's form (adding or editing).
#[component]
fn ItemFields(
    /// Prefix of the element ids (unique on the page).
    prefix: String,
    item: Option<MenuItem>,
    category_id: Uuid,
    sections: Vec<(Uuid, String)>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let get = |f: fn(&MenuItem) -> String| item.as_ref().map(f).unwrap_or_default();
    let tags = item.as_ref().map(|i| i.tags.clone()).unwrap_or_default();
    let tags_error = move || error.get().and_then(|e| e.message_for("tags"));
    view! {
        <div class="grid gap-3 sm:grid-cols-2">
            <TextField name="name" id=format!("{prefix}-name") label="Name" value=get(|i| i.name.clone()) required=true error/>
            <TextField name="price" id=format!("{prefix}-price") label="Price ($)" value=get(|i| cents_for_form(i64::from(i.price_cents), false)) required=true error/>
        </div>
        <TextField name="description" id=format!("{prefix}-description") label="Description" value=get(|i| i.description.clone()) error/>
        <div class="space-y-1">
            <label class="block text-sm font-medium text-slate-700" for=format!("{prefix}-category")>"Section"</label>
            <select id=format!("{prefix}-category") name="category_id" class="block w-full rounded-md border border-slate-300 px-3 py-2">
                {sections.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=id == category_id>{name}</option> }).collect_view()}
            </select>
        </div>
        <fieldset>
            <legend class="text-sm font-medium text-slate-700">"Dietary and allergens"</legend>
            <div class="mt-1 flex flex-wrap gap-x-4 gap-y-1">
                {DIETARY_TAGS.iter().map(|(tag, label)| view! {
                    <label class="inline-flex items-center gap-1 text-sm">
                        <input type="checkbox" name="tags[]" value=*tag checked=tags.iter().any(|t| t == tag)/>
                        {*label}
                    </label>
                }).collect_view()}
            </div>
            <p class="text-sm text-red-600" data-field-error="tags">{tags_error}</p>
        </fieldset>
        <FormError error/>
    }
}

#[component]
fn NewItemForm(
    restaurant_id: Uuid,
    category_id: Uuid,
    sections: Vec<(Uuid, String)>,
) -> impl IntoView {
    let action = edit_action!(AddItem);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-2 space-y-3" attr:data-testid="new-item-form">
            <input type="hidden" name="restaurant_id" value=restaurant_id.to_string()/>
            <ItemFields prefix=format!("new-{category_id}") item=None category_id sections error/>
            <SubmitButton label="Add item" pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
fn ItemEditor(
    item: MenuItem,
    owner: bool,
    /// The section it is listed under.
    category_id: Uuid,
    sections: Vec<(Uuid, String)>,
    slug: String,
) -> impl IntoView {
    let sold_out = edit_action!(SetSoldOut);
    let id = item.id;
    view! {
        <li class="py-3" data-testid="editor-item" data-item=item.name.clone()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <div class="flex items-center gap-3">
                    {item.photo_url.clone().map(|src| view! { <img src=src alt="" class="h-12 w-12 rounded object-cover"/> })}
                    <div>
                        <p class="font-medium">{item.name.clone()}<span class="ml-2 text-slate-600">{format_cents(i64::from(item.price_cents))}</span></p>
                        {item.sold_out.then(|| view! { <p class="text-sm font-medium text-red-700">"Sold out"</p> })}
                    </div>
                </div>
                <ActionForm action=sold_out>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="sold_out" value=(!item.sold_out).to_string()/>
                    <button class=SMALL_BUTTON data-testid="toggle-sold-out">{if item.sold_out { "Back in stock" } else { "Mark sold out" }}</button>
                </ActionForm>
            </div>
            {owner.then(|| {
                let item = item.clone();
                view! { <ItemOwnerTools item sections=sections.clone() category_id slug=slug.clone()/> }
            })}
        </li>
    }
}

/// What only the owner sees under an item: its form, photo, choices, delete.
#[component]
fn ItemOwnerTools(
    item: MenuItem,
    sections: Vec<(Uuid, String)>,
    category_id: Uuid,
    slug: String,
) -> impl IntoView {
    let update = edit_action!(UpdateItem);
    let delete = edit_action!(DeleteItem);
    let add_group = edit_action!(AddOptionGroup);
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let group_error = Signal::derive(move || add_group.value().get().and_then(Result::err));
    let id = item.id;
    let has_photo = item.photo_url.is_some();
    let groups = item.option_groups.clone();
    let back = format!("/dashboard/r/{slug}/menu");
    view! {
        <details class="mt-2">
            <summary class="cursor-pointer text-sm underline">"Edit item, photo and choices"</summary>
            <div class="mt-3 space-y-4 rounded-md bg-slate-50 p-3">
                <ActionForm action=update attr:class="space-y-3" attr:data-testid="item-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <ItemFields prefix=format!("item-{id}") item=Some(item.clone()) category_id sections=sections.clone() error/>
                    <SubmitButton label="Save item" pending=update.pending()/>
                </ActionForm>
                <form method="post" action=format!("/dashboard/photos/item/{id}") enctype="multipart/form-data" class="flex flex-wrap items-center gap-2" data-testid="item-photo-form">
                    <input type="hidden" name="back" value=back/>
                    <label class="text-sm font-medium" for=format!("photo-{id}")>{if has_photo { "Replace photo" } else { "Add a photo" }}</label>
                    <input id=format!("photo-{id}") type="file" name="photo" accept="image/jpeg,image/png,image/webp,image/gif" required class="text-sm"/>
                    <button class=SMALL_BUTTON>"Upload"</button>
                </form>
                <div>
                    <h3 class="text-sm font-semibold">"Choices"</h3>
                    {groups.into_iter().map(|g| view! { <GroupEditor group=g/> }).collect_view()}
                    <ActionForm action=add_group attr:class="mt-2 grid gap-2 sm:grid-cols-4 sm:items-end" attr:data-testid="add-group">
                        <input type="hidden" name="item_id" value=id.to_string()/>
                        <TextField name="name" id=format!("group-name-{id}") label="New choice (e.g. Side)" error=group_error/>
                        <TextField name="min_choices" id=format!("group-min-{id}") label="At least" value="1" error=group_error/>
                        <TextField name="max_choices" id=format!("group-max-{id}") label="At most" value="1" error=group_error/>
                        <SubmitButton label="Add choice" pending=add_group.pending()/>
                    </ActionForm>
                </div>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button class=DANGER_BUTTON>"Delete item"</button>
                </ActionForm>
            </div>
        </details>
    }
}

#[component]
fn GroupEditor(group: OptionGroup) -> impl IntoView {
    let delete_group = edit_action!(DeleteOptionGroup);
    let delete_option = edit_action!(DeleteOption);
    let add_option = edit_action!(AddOption);
    let error = Signal::derive(move || add_option.value().get().and_then(Result::err));
    let gid = group.id;
    view! {
        <div class="mt-2 rounded border border-slate-200 bg-white p-2" data-testid="group" data-group=group.name.clone()>
            <div class="flex items-center justify-between gap-2">
                <p class="text-sm font-medium">{format!("{} (at least {}, at most {})", group.name, group.min_choices, group.max_choices)}</p>
                <ActionForm action=delete_group>
                    <input type="hidden" name="id" value=gid.to_string()/>
                    <button class=DANGER_BUTTON>"Remove"</button>
                </ActionForm>
            </div>
            <ul class="mt-1 text-sm">
                {group.options.into_iter().map(|o| view! {
                    <li class="flex items-center justify-between gap-2 py-0.5">
                        <span>{o.name}<span class="ml-1 text-slate-500">{if o.price_delta_cents == 0 { String::new() } else { cents_for_form(i64::from(o.price_delta_cents), true) }}</span></span>
                        <ActionForm action=delete_option>
                            <input type="hidden" name="id" value=o.id.to_string()/>
                            <button class="text-xs text-red-700 underline">"remove"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=add_option attr:class="mt-1 grid gap-2 sm:grid-cols-3 sm:items-end" attr:data-testid="add-option">
                <input type="hidden" name="group_id" value=gid.to_string()/>
                <TextField name="name" id=format!("option-name-{gid}") label="Option" error/>
                <TextField name="price_delta" id=format!("option-delta-{gid}") label="Price change (e.g. +1.50)" error/>
                <SubmitButton label="Add option" pending=add_option.pending()/>
            </ActionForm>
            <FormError error/>
        </div>
    }
}
