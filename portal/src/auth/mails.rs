//! The messages the portal sends about accounts.

use mail::Message;

fn html_link(intro: &str, label: &str, url: &str, outro: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    format!(
        "<p>{}</p><p><a href=\"{}\">{}</a></p><p>{}</p>",
        esc(intro),
        esc(url),
        esc(label),
        esc(outro)
    )
}

/// The reset link, valid once for `minutes`.
pub fn reset_password(to: &str, name: &str, url: &str, minutes: i32) -> Message {
    let intro = format!(
        "Hello {name}, someone (we hope you) asked to reset the password of your SteppersLife account."
    );
    let outro = format!(
        "The link works once, for {minutes} minutes. If you did not ask for it, ignore this \
         message: your password stays as it is."
    );
    Message {
        kind: "reset-password",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: "Reset your SteppersLife password".to_owned(),
        text: format!("{intro}\n\nChoose a new password: {url}\n\n{outro}\n"),
        html: Some(html_link(&intro, "Choose a new password", url, &outro)),
    }
}

/// The account's password was changed (by a reset or on the account page).
pub fn password_changed(to: &str, name: &str, account_url: &str) -> Message {
    let intro = format!(
        "Hello {name}, the password of your SteppersLife account was just changed, and every \
         other device was signed out."
    );
    let outro = "If this was not you, reset your password now from the sign-in page, and \
                 check the sign-in methods on your account page."
        .to_owned();
    Message {
        kind: "password-changed",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: "Your SteppersLife password was changed".to_owned(),
        text: format!("{intro}\n\nYour account: {account_url}\n\n{outro}\n"),
        html: Some(html_link(&intro, "Your account", account_url, &outro)),
    }
}

/// The link that confirms a sign-up, valid for `hours`.
pub fn confirm_signup(to: &str, name: &str, url: &str, hours: i32) -> Message {
    let intro = format!(
        "Hello {name}, welcome to SteppersLife! Confirm that this is your address to finish \
         creating your account."
    );
    let outro = format!(
        "The link works for {hours} hours. If you did not sign up, ignore this message: no \
         account is made without it."
    );
    Message {
        kind: "confirm-signup",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: "Confirm your email for SteppersLife".to_owned(),
        text: format!("{intro}\n\nConfirm your address: {url}\n\n{outro}\n"),
        html: Some(html_link(&intro, "Confirm your address", url, &outro)),
    }
}

/// Someone tried to sign up with an address that already has an account.
pub fn signup_for_existing(to: &str, name: &str, sign_in_url: &str, forgot_url: &str) -> Message {
    let intro = format!(
        "Hello {name}, someone just tried to create a SteppersLife account with this address. \
         It already has one: yours."
    );
    let outro = format!(
        "If it was you, sign in instead. Forgot your password? Choose a new one: {forgot_url}. \
         If it was not you, ignore this message: nothing has changed."
    );
    Message {
        kind: "signup-existing",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: "You already have a SteppersLife account".to_owned(),
        text: format!("{intro}\n\nSign in: {sign_in_url}\n\n{outro}\n"),
        html: Some(html_link(&intro, "Sign in", sign_in_url, &outro)),
    }
}

/// A sign-in method was linked to or removed from the account.
pub fn method_changed(to: &str, name: &str, what: &str, account_url: &str) -> Message {
    let intro = format!("Hello {name}: {what}.");
    let outro = "If this was not you, reset your password now from the sign-in page and check \
                 the sign-in methods on your account page."
        .to_owned();
    Message {
        kind: "sign-in-method",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: "A sign-in method of your SteppersLife account changed".to_owned(),
        text: format!("{intro}\n\nYour account: {account_url}\n\n{outro}\n"),
        html: Some(html_link(&intro, "Your account", account_url, &outro)),
    }
}

/// To the new address: confirm it before the account moves to it.
pub fn confirm_new_email(to: &str, name: &str, url: &str, hours: i32) -> Message {
    let intro = format!(
        "Hello {name}, you asked to use this address for your SteppersLife account. Confirm it \
         to make the change."
    );
    let outro = format!(
        "The link works for {hours} hours. If you did not ask for this, ignore this message."
    );
    Message {
        kind: "confirm-new-email",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: "Confirm your new email for SteppersLife".to_owned(),
        text: format!("{intro}\n\nConfirm this address: {url}\n\n{outro}\n"),
        html: Some(html_link(&intro, "Confirm this address", url, &outro)),
    }
}

/// To the old address: the account has moved.
pub fn email_changed(to: &str, name: &str, new_email: &str, forgot_url: &str) -> Message {
    let intro = format!(
        "Hello {name}, your SteppersLife account now uses {new_email} instead of this address."
    );
    let outro = "If this was not you, someone has your account: write to us, and reset the \
                 password from the sign-in page."
        .to_owned();
    Message {
        kind: "email-changed",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: "Your SteppersLife email was changed".to_owned(),
        text: format!("{intro}\n\nReset your password: {forgot_url}\n\n{outro}\n"),
        html: Some(html_link(&intro, "Reset your password", forgot_url, &outro)),
    }
}
