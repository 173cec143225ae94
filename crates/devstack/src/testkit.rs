//! Helpers for HTTP tests of the suite's servers: call server functions as a browser page
//! would, read what they answered. (Starting an app: [`crate::harness`].)

use reqwest::{StatusCode, header};

/// A client that follows no redirects and keeps no cookies (tests pass cookies by hand, since
/// the suite's cookies are for `*.stepperslife.localhost`, not the loopback address). A request
/// that gets no answer in 30 s fails the test instead of hanging it.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// What a server answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    /// The JSON body, or the text as a JSON string.
    pub body: serde_json::Value,
}

impl Answer {
    /// The value of cookie `name` the answer set, and the whole `Set-Cookie` line.
    pub fn cookie(&self, name: &str) -> Option<(String, String)> {
        let prefix = format!("{name}=");
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&prefix))
            .map(|c| {
                let value = c[prefix.len()..].split(';').next().unwrap_or("").to_owned();
                (value, c.to_owned())
            })
    }

    /// The form field an error answer (an `AppError`) is about.
    pub fn error_field(&self) -> Option<String> {
        self.body
            .get("Validation")
            .or_else(|| self.body.get("Conflict"))
            .and_then(|v| v.get("field"))
            .and_then(|f| f.as_str())
            .map(str::to_owned)
    }

    /// The message of an error answer.
    pub fn error_message(&self) -> String {
        self.body
            .as_object()
            .and_then(|o| o.values().next())
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or("")
                    .to_owned(),
            })
            .unwrap_or_default()
    }

    pub fn redirect_to(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// POSTs a form as a hydrated page calls a server function: `Accept: application/json`, the
/// given `Origin` (none if `None`) and `Cookie` (`name=value`).
pub async fn post_form(
    url: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Answer {
    let mut req = client()
        .post(url)
        .header(header::ACCEPT, "application/json")
        .form(form);
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    answer(req.send().await.expect("request")).await
}

/// Reads a response into an [`Answer`].
pub async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

/// A `width` × `height` PNG of one opaque colour: a photo to upload.
pub fn photo_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        width,
        height,
        image::Rgb([200, 80, 20]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
    .expect("png");
    out
}
