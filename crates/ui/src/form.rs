use leptos::prelude::*;
use platform::AppError;

/// A labelled input with the error about it, if any.
#[component]
pub fn TextField(
    /// The form field's name (also its id, unless `id` is given).
    name: &'static str,
    /// The element's id, when the page has several forms with this field.
    #[prop(optional, into)]
    id: Option<String>,
    /// The visible label.
    label: &'static str,
    /// `text`, `email`, `password`, ...
    #[prop(default = "text")]
    kind: &'static str,
    /// Initial value.
    #[prop(optional, into)]
    value: String,
    /// The `autocomplete` hint.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Whether the browser should require it.
    #[prop(optional)]
    required: bool,
    /// The last error of the form; shown here when it is about this field.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.message_for(name));
    let id = id.unwrap_or_else(|| name.to_owned());
    let err_id = format!("{id}-error");
    let described = err_id.clone();
    view! {
        <div class="space-y-1">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                required=required
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=described
                class="block w-full rounded-md border border-slate-300 px-3 py-2 text-base shadow-sm focus:border-amber-600 focus:outline-none focus:ring-1 focus:ring-amber-600 aria-[invalid=true]:border-red-500"
            />
            <p id=err_id class="text-sm text-red-600" data-field-error=name>{message}</p>
        </div>
    }
}

/// A labelled text area with the error about it, if any.
#[component]
pub fn TextArea(
    /// The form field's name (also its id, unless `id` is given).
    name: &'static str,
    /// The element's id, when the page has several forms with this field.
    #[prop(optional, into)]
    id: Option<String>,
    /// The visible label.
    label: &'static str,
    /// Initial value.
    #[prop(optional, into)]
    value: String,
    /// A line under the label on what to type (e.g. [`FORMATTING_HINT`]).
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The last error of the form.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.message_for(name));
    let id = id.unwrap_or_else(|| name.to_owned());
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match hint {
        Some(_) => format!("{hint_id} {err_id}"),
        None => err_id.clone(),
    };
    view! {
        <div class="space-y-1">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            {hint.map(|h| view! { <p id=hint_id class="text-sm text-slate-500">{h}</p> })}
            <textarea
                id=id
                name=name
                rows="4"
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=described
                class="block w-full rounded-md border border-slate-300 px-3 py-2 text-base shadow-sm focus:border-amber-600 focus:outline-none focus:ring-1 focus:ring-amber-600"
                // Not a text child: a textarea's content is raw text, where hydration cannot
                // place its markers (an empty one broke hydration of the whole page).
                inner_html=escape_html(&value)
            ></textarea>
            <p id=err_id class="text-sm text-red-600" data-field-error=name>{message}</p>
        </div>
    }
}

/// What a text area whose text is shown formatted (`platform::formatted`) understands.
pub const FORMATTING_HINT: &str = "Blank lines separate paragraphs. **bold**, *italic*, a line \
     starting with \"- \" for a list, [a link](https://…).";

/// Escapes text for use as HTML (here: a textarea's initial content).
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The form's error when it is not about one field (rate limit, conflict, server trouble).
#[component]
pub fn FormError(
    /// The last error of the form.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation { .. }))
            .filter(|e| e.field().is_none())
            .map(|e| e.to_string())
    };
    view! {
        <Show when=move || general().is_some()>
            <div role="alert" class="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="form-error">
                {general}
            </div>
        </Show>
    }
}

/// The submit button; disabled while the form is being sent.
#[component]
pub fn SubmitButton(
    /// Button text.
    label: &'static str,
    /// Whether the form is being sent.
    #[prop(into)]
    pending: Signal<bool>,
    /// A step that cannot be undone (cancelling an event): red, not the suite's amber.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView {
    let colour = if danger {
        "bg-red-700 hover:bg-red-800"
    } else {
        "bg-amber-700 hover:bg-amber-800"
    };
    view! {
        <button
            type="submit"
            disabled=move || pending.get()
            class=format!("inline-flex w-full justify-center rounded-md {colour} px-4 py-2 text-base font-semibold text-white disabled:opacity-60 sm:w-auto")
        >
            {label}
        </button>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn textarea_content_is_escaped() {
        assert_eq!(
            super::escape_html("</textarea><script>x</script> & 'q' \"d\""),
            "&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt; &amp; &#39;q&#39; &quot;d&quot;"
        );
    }
}

/// Time zones offered on forms (a restaurant's hours, an event's times are kept in the place's
/// own zone).
const TIME_ZONES: [(&str, &str); 7] = [
    ("America/New_York", "Eastern (New York, Atlanta, Detroit)"),
    ("America/Chicago", "Central (Chicago, Houston)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles, Seattle)"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
];

/// A form's `time_zone` field: the zones above by the names people use (and the current one
/// if it is another).
#[component]
pub fn TimeZoneSelect(
    /// The visible label.
    label: &'static str,
    /// The place's zone (Central when adding).
    current: Option<String>,
    /// The form's last error.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let current = current.unwrap_or_else(|| "America/Chicago".to_owned());
    let listed = TIME_ZONES.iter().any(|(z, _)| *z == current);
    let message = move || error.get().and_then(|e| e.message_for("time_zone"));
    view! {
        <div class="space-y-1">
            <label for="time_zone" class="block text-sm font-medium text-slate-700">{label}</label>
            <select id="time_zone" name="time_zone" class="block w-full rounded-md border border-slate-300 px-3 py-2 text-base">
                {(!listed).then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })}
                {TIME_ZONES.iter().map(|(zone, label)| view! {
                    <option value=*zone selected=*zone == current>{*label}</option>
                }).collect_view()}
            </select>
            <p class="text-sm text-red-600" data-field-error="time_zone">{message}</p>
        </div>
    }
}
