//! Upload and download progress, reported as bytes move (see [`crate::progress`]): the
//! upload of every attempt (a redirect's or a retry's replay counts from 0 again), just
//! above the backend; the download of the response the caller reads, outermost but for
//! the deadline, so that what is counted is what the caller gets (decoded bytes; the total
//! only when the body arrives as its `Content-Length` announced).

use super::{Middleware, Next};
use crate::error::Result;
use crate::progress::{track_download, track_upload};
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

pub(super) struct Upload;

impl Middleware for Upload {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let config = next.config(&request);
        if let Some(on_progress) = config.on_upload_progress().clone() {
            let body = request.body.take().unwrap_or_default();
            request.body = Some(track_upload(body, on_progress));
        }
        next.run(request)
    }
}

pub(super) struct Download;

impl Middleware for Download {
    fn handle<'a>(
        &'a self,
        request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let config = next.config(&request);
        let Some(on_progress) = config.on_download_progress().clone() else {
            return next.run(request);
        };
        let sending = next.run(request);
        Box::pin(async move {
            let mut response = sending.await?;
            let total = response.content_length();
            response.map_body(|body| track_download(body, total, on_progress));
            Ok(response)
        })
    }
}
