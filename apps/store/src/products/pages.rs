//! A product's page (pictures, description, variants and "add to cart"), and its shop's pages
//! to create and manage it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use ui::{ErrorBox, FormError, NotFound, SubmitButton, TextArea, TextField};

use super::{
    AddVariant, CreateProduct, ManageView, ProductView, SetPublished, UpdateProduct, UpdateVariant,
    get_product, manage_product,
};
use crate::{
    cart::AddToCart,
    catalog::CATEGORIES,
    images::{MAX_IMAGES, MoveImage, RemoveImage},
};

fn slug_param() -> String {
    use_params_map()
        .read_untracked()
        .get("slug")
        .unwrap_or_default()
}

/// `/p/{slug}`: one product.
#[component]
pub fn ProductPage() -> impl IntoView {
    let product = Resource::new_blocking(slug_param, get_product);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="product"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(p) => view! { <Product p/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Product(p: ProductView) -> impl IntoView {
    let add = ServerAction::<AddToCart>::new();
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let buyable = p.variants.iter().any(|v| v.left > 0);
    let first_in_stock = p.variants.iter().position(|v| v.left > 0);
    view! {
        <Title text=p.title.clone()/>
        <article class="grid gap-6 md:grid-cols-2" data-testid="product">
            <div>
                {match p.images.split_first() {
                    None => view! { <div class="flex aspect-[4/3] items-center justify-center rounded-lg bg-slate-100 text-slate-500 md:aspect-square">"No picture yet"</div> }.into_any(),
                    Some((main, rest)) => view! {
                        <img src=main.clone() alt=p.title.clone() width="960" height="960" class="aspect-[4/3] h-auto w-full rounded-lg object-cover md:aspect-square" data-testid="product-image"/>
                        <ul class="mt-2 grid grid-cols-4 gap-2">
                            {rest.iter().map(|src| view! {
                                <li><img src=src.clone() alt="" width="240" height="240" loading="lazy" class="aspect-square h-auto w-full rounded-md object-cover"/></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
            <div>
                {(!p.listed).then(|| view! { <p class="mb-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">"Not listed: only its shop and the admins see this page."</p> })}
                <p class="text-sm"><a class="underline" href=format!("/s/{}", p.shop_slug)>{p.shop_name.clone()}</a>{format!(" · {}", p.category)}</p>
                <h1 class="mt-1 text-2xl font-bold">{p.title.clone()}</h1>
                {p.is_owner.then(|| view! { <p class="mt-1 text-sm"><a class="font-medium text-amber-700 hover:underline" href=format!("/dashboard/p/{}", p.slug)>"Manage this product"</a></p> })}
                <ActionForm action=add attr:class="mt-4 space-y-3" attr:data-testid="add-to-cart">
                    <fieldset class="space-y-2">
                        <legend class="text-sm font-medium text-slate-700">"Choose"</legend>
                        {p.variants.iter().enumerate().map(|(i, v)| view! {
                            <label class="flex cursor-pointer items-center justify-between gap-3 rounded-md border border-slate-300 bg-white px-3 py-2 has-[:checked]:border-amber-600 has-[:checked]:bg-amber-50 has-[:disabled]:opacity-60" data-testid="variant">
                                <span class="flex items-center gap-2">
                                    <input type="radio" name="variant_id" value=v.id.to_string() checked=Some(i) == first_in_stock disabled=v.left <= 0 class="h-5 w-5"/>
                                    {v.name.clone()}
                                </span>
                                <span class="text-right">
                                    <span class="font-semibold">{v.price_label.clone()}</span>
                                    {v.availability.clone().map(|a| view! { <span class="block text-sm font-medium text-amber-800" data-testid="availability">{a}</span> })}
                                </span>
                            </label>
                        }).collect_view()}
                    </fieldset>
                    {if buyable { view! {
                            <div class="flex items-end gap-3">
                                <label class="text-sm font-medium text-slate-700">"Quantity"
                                    <input name="quantity" type="number" min="1" max="99" value="1" inputmode="numeric" class="mt-1 block w-20 rounded-md border border-slate-300 px-3 py-2 text-base"/>
                                </label>
                                <button type="submit" class="rounded-md bg-amber-700 px-4 py-3 text-base font-semibold text-white hover:bg-amber-800" data-testid="add">"Add to cart"</button>
                            </div>
                            <p class="text-sm text-red-700" role="alert" data-field-error="quantity">{move || error.get().map(|e| e.to_string())}</p>
                        }.into_any()
                    } else {
                        view! { <p class="font-medium text-slate-700">"Sold out"</p> }.into_any()
                    }}
                </ActionForm>
                <div class="formatted mt-6 text-slate-700" inner_html=p.description_html.clone()></div>
            </div>
        </article>
    }
}

fn category_select(current: &str) -> impl IntoView + use<> {
    let current = current.to_owned();
    view! {
        <label class="block text-sm font-medium text-slate-700">"Category"
            <select name="category" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-base">
                {CATEGORIES.iter().map(|(slug, name)| view! {
                    <option value=*slug selected=current == *slug>{*name}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// `/dashboard/products/new`.
#[component]
pub fn NewProductPage() -> impl IntoView {
    let create = ServerAction::<CreateProduct>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <Title text="New product"/>
        <h1 class="text-2xl font-bold">"New product"</h1>
        <ActionForm action=create attr:class="mt-4 max-w-xl space-y-4" attr:data-testid="product-form">
            <TextField name="title" label="Name" required=true error/>
            <TextArea name="description" label="Description" hint=ui::FORMATTING_HINT error/>
            {category_select("apparel")}
            <FormError error/>
            <SubmitButton label="Create as a draft" pending=create.pending()/>
        </ActionForm>
    }
}

/// `/dashboard/p/{slug}`: a product's details, variants and stock, and publication.
#[component]
pub fn ManageProductPage() -> impl IntoView {
    let product = Resource::new_blocking(slug_param, manage_product);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="product"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(p) => view! { <Manage p/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Manage(p: ManageView) -> impl IntoView {
    let update = ServerAction::<UpdateProduct>::new();
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let add = ServerAction::<AddVariant>::new();
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let publish = ServerAction::<SetPublished>::new();
    let publish_error = Signal::derive(move || publish.value().get().and_then(Result::err));
    let slug = p.slug.clone();
    let variants = p
        .variants
        .clone()
        .into_iter()
        .map(|v| {
            let slug = slug.clone();
                let edit = ServerAction::<UpdateVariant>::new();
                let error = Signal::derive(move || edit.value().get().and_then(Result::err));
                let id = v.id.to_string();
                view! {
                    <li class="rounded-lg border border-slate-200 bg-white p-3">
                        <ActionForm action=edit attr:class="grid gap-2 sm:grid-cols-4 sm:items-end">
                            <input type="hidden" name="slug" value=slug.clone()/>
                            <input type="hidden" name="id" value=id.clone()/>
                            <TextField name="name" id=format!("name-{id}") label="Variant" value=v.name.clone() error/>
                            <TextField name="price" id=format!("price-{id}") label="Price ($)" value=v.price.clone() error/>
                            <TextField name="stock" id=format!("stock-{id}") label="Units held" kind="number" value=v.on_hand.to_string() error/>
                            <SubmitButton label="Save" pending=edit.pending()/>
                            <p class="text-sm text-slate-600 sm:col-span-4">
                                {format!("{} in checkouts being paid", v.reserved)}
                                {v.low.then(|| view! { <span class="ml-2 rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-900">"Low stock"</span> })}
                            </p>
                            <div class="sm:col-span-4"><FormError error/></div>
                        </ActionForm>
                    </li>
                }
        })
        .collect_view();
    let (slug_add, slug_update, slug_images) = (slug.clone(), slug.clone(), slug.clone());
    let images = p
        .images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let moving = ServerAction::<MoveImage>::new();
            let removing = ServerAction::<RemoveImage>::new();
            let id = image.id.to_string();
            let move_form = (i > 0).then(|| {
                let (slug, id) = (slug.clone(), id.clone());
                view! {
                    <ActionForm action=moving>
                        <input type="hidden" name="slug" value=slug/>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50">"Move earlier"</button>
                    </ActionForm>
                }
            });
            let slug = slug.clone();
            view! {
                <li class="rounded-lg border border-slate-200 bg-white p-2" data-testid="image">
                    <img src=image.thumbnail_url.clone() alt=if i == 0 { "Main picture" } else { "Picture" } width="240" height="135" class="aspect-video h-auto w-full rounded-md object-cover"/>
                    <div class="mt-1 flex flex-wrap gap-1 text-sm">
                        {move_form}
                        <ActionForm action=removing>
                            <input type="hidden" name="slug" value=slug/>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="rounded-md border border-red-300 px-2 py-1 text-red-800 hover:bg-red-50">"Remove"</button>
                        </ActionForm>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("Manage · {}", p.title)/>
        <p class="text-sm"><a class="underline" href="/dashboard">"Your shop"</a></p>
        <h1 class="mt-1 text-2xl font-bold">{p.title.clone()}</h1>
        <p class="text-slate-600" data-testid="published">{if p.published { "Published" } else { "Draft: not listed" }}</p>
        <ActionForm action=publish attr:class="mt-3" attr:data-testid="publish-form">
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="published" value=(!p.published).to_string()/>
            <FormError error=publish_error/>
            <p class="text-sm text-red-700">{move || publish_error.get().and_then(|e| e.message_for("published"))}</p>
            <SubmitButton label=if p.published { "Withdraw from sale" } else { "Publish" } pending=publish.pending()/>
        </ActionForm>

        <h2 class="mt-6 text-lg font-semibold">"Variants and stock"</h2>
        <p class="text-sm text-slate-600">"Each variant (a size, a colour) has its own price and the units you hold. Units in shoppers' checkouts being paid are shown apart."</p>
        <ul class="mt-2 space-y-3" data-testid="variants">
            {variants}
        </ul>
        <ActionForm action=add attr:class="mt-3 grid max-w-xl gap-2 rounded-lg border border-dashed border-slate-300 p-3 sm:grid-cols-4 sm:items-end" attr:data-testid="variant-form">
            <input type="hidden" name="slug" value=slug_add/>
            <TextField name="name" id="new-name" label="New variant" error=add_error/>
            <TextField name="price" id="new-price" label="Price ($)" error=add_error/>
            <TextField name="stock" id="new-stock" label="Units held" kind="number" error=add_error/>
            <SubmitButton label="Add" pending=add.pending()/>
            <div class="sm:col-span-4"><FormError error=add_error/></div>
        </ActionForm>

        <h2 class="mt-6 text-lg font-semibold">"Pictures"</h2>
        <p class="text-sm text-slate-600">{format!("Up to {MAX_IMAGES}; the first is the product's main picture and its thumbnail in lists.")}</p>
        <ul class="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="images">
            {images}
        </ul>
        <ui::PictureForm action=format!("/dashboard/p/{slug_images}/images") back=format!("/dashboard/p/{slug_images}") label="Add a picture" current=None testid="image-form"/>

        <details class="mt-6 max-w-xl">
            <summary class="cursor-pointer font-semibold">"Details"</summary>
            <ActionForm action=update attr:class="mt-3 space-y-4">
                <input type="hidden" name="slug" value=slug_update/>
                <TextField name="title" label="Name" value=p.title.clone() required=true error=update_error/>
                <TextArea name="description" label="Description" value=p.description.clone() hint=ui::FORMATTING_HINT error=update_error/>
                {category_select(&p.category)}
                <TextField name="low_stock_at" label="Mark as low stock at (units left)" kind="number" value=p.low_stock_at.to_string() error=update_error/>
                <FormError error=update_error/>
                <SubmitButton label="Save" pending=update.pending()/>
            </ActionForm>
        </details>
    }
}
