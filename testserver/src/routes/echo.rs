//! `/echo`, `/anything/...` and `/delay/{secs}`: a JSON description of the request.
//!
//! The body streams through a running SHA-256 and length, so uploads of any size work; the
//! text forms (body, body_base64, json, form) are kept only for bodies under [`KEEP_LIMIT`].

use std::convert::Infallible;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::error::{RouteError, RouteResult};
use super::request::{
    full_url, headers_json, insert_multi, pairs_to_json, parse_number, query_pairs, version_name,
};
use crate::body::{self, BoxError};
use crate::state::{ConnCtx, hex};

/// Bodies (and multipart text fields) at least this long are hashed but not kept.
const KEEP_LIMIT: usize = 1024 * 1024;

/// Longest pause `/delay` makes.
const MAX_DELAY_SECS: f64 = 30.0;

/// `/echo` and `/anything/...`.
pub(super) async fn echo(req: Request<Incoming>, ctx: &ConnCtx) -> RouteResult {
    let (parts, body) = req.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();

    let (tap, multipart) = if mime == "multipart/form-data" {
        let boundary = multer::parse_boundary(&content_type)
            .map_err(|e| RouteError::bad(format!("bad multipart Content-Type: {e}")))?;
        let (tap, parsed) = read_multipart(body, boundary).await?;
        let parsed =
            parsed.map_err(|e| RouteError::bad(format!("malformed multipart body: {e}")))?;
        (tap, parsed)
    } else {
        (read_body(body).await?, Multipart::default())
    };

    let kept = tap.kept.as_deref();
    let text = kept.and_then(|b| std::str::from_utf8(b).ok());
    let parsed_json = text
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .unwrap_or(Value::Null);
    let form = match kept {
        Some(bytes) if mime == "application/x-www-form-urlencoded" => {
            pairs_to_json(form_urlencoded::parse(bytes).into_owned().collect())
        }
        _ => Value::Null,
    };

    let request = Request::from_parts(parts, ());
    let description = json!({
        "method": request.method().as_str(),
        "url": full_url(&request, ctx),
        "path": request.uri().path(),
        "args": pairs_to_json(query_pairs(&request)),
        "headers": headers_json(request.headers()),
        "body": text,
        "body_base64": kept.map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
        "body_len": tap.len,
        "sha256": hex(&tap.sha256.finalize()),
        "json": parsed_json,
        "form": form,
        "files": multipart.files,
        "fields": multipart.fields,
        "http_version": version_name(request.version()),
        "connection_id": ctx.id,
        "remote_addr": ctx.remote_addr.map(|addr| addr.to_string()),
    });
    Ok(body::json(StatusCode::OK, &description))
}

/// `/delay/{secs}`: waits (fractional seconds, at most 30), then answers like `/echo`.
pub(super) async fn delay(req: Request<Incoming>, ctx: &ConnCtx, secs: &str) -> RouteResult {
    let secs: f64 = parse_number(secs, "delay")?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(RouteError::bad(format!("invalid delay: {secs}")));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs.min(MAX_DELAY_SECS))).await;
    echo(req, ctx).await
}

/// What is learned of a body while it streams by.
struct BodyTap {
    len: u64,
    sha256: Sha256,
    /// The whole body while it stays under [`KEEP_LIMIT`], then `None`.
    kept: Option<Vec<u8>>,
}

impl BodyTap {
    fn new() -> BodyTap {
        BodyTap {
            len: 0,
            sha256: Sha256::new(),
            kept: Some(Vec::new()),
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.len += chunk.len() as u64;
        self.sha256.update(chunk);
        if let Some(kept) = &mut self.kept {
            if kept.len() + chunk.len() >= KEEP_LIMIT {
                self.kept = None;
            } else {
                kept.extend_from_slice(chunk);
            }
        }
    }
}

/// Reads the whole body through a [`BodyTap`]. An error is the transport's (client gone).
async fn read_body(mut body: Incoming) -> Result<BodyTap, BoxError> {
    let mut tap = BodyTap::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            tap.push(&data);
        }
    }
    Ok(tap)
}

/// Parsed `multipart/form-data`: files by field name, text fields by name.
#[derive(Default)]
struct Multipart {
    files: Map<String, Value>,
    fields: Map<String, Value>,
}

/// Reads the body through a [`BodyTap`] while a multipart parser consumes a copy of it.
///
/// The reader owns the body and always reads it to the end, so the hash covers every byte
/// even when the parser stops early (epilogue, or a malformed part).
async fn read_multipart(
    mut body: Incoming,
    boundary: String,
) -> Result<(BodyTap, Result<Multipart, multer::Error>), BoxError> {
    let (tx, rx) = mpsc::channel::<Bytes>(8);
    let reader = async move {
        let mut tap = BodyTap::new();
        let mut tx = Some(tx);
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame?.into_data() else {
                continue;
            };
            tap.push(&data);
            // Once the parser is done (the send fails), keep hashing the rest.
            if let Some(sender) = &tx
                && sender.send(data).await.is_err()
            {
                tx = None;
            }
        }
        Ok::<_, BoxError>(tap)
    };
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<Bytes, Infallible>(chunk), rx))
    });
    let parser = parse_multipart(multer::Multipart::new(chunks, boundary));
    let (tap, parsed) = tokio::join!(reader, parser);
    Ok((tap?, parsed))
}

async fn parse_multipart(
    mut multipart: multer::Multipart<'static>,
) -> Result<Multipart, multer::Error> {
    let mut out = Multipart::default();
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or("").to_owned();
        if let Some(filename) = field.file_name().map(str::to_owned) {
            let content_type = field.content_type().map(|m| m.to_string());
            let mut sha256 = Sha256::new();
            let mut size: u64 = 0;
            while let Some(chunk) = field.chunk().await? {
                size += chunk.len() as u64;
                sha256.update(&chunk);
            }
            let file = json!({
                "filename": filename,
                "content_type": content_type,
                "size": size,
                "sha256": hex(&sha256.finalize()),
            });
            insert_multi(&mut out.files, name, file);
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await? {
                // A huge text field is truncated rather than kept whole.
                let room = KEEP_LIMIT.saturating_sub(value.len());
                value.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            let value = String::from_utf8_lossy(&value).into_owned();
            insert_multi(&mut out.fields, name, Value::String(value));
        }
    }
    Ok(out)
}
