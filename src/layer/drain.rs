//! Reading what is left of a body the caller does not get to read (a followed redirect's,
//! a Digest challenge's), so that its connection can be reused.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::body::ResponseBody;
use crate::error::ErrorKind;

/// The most of a body the client reads only to reuse its connection.
const MAX_DRAIN: usize = 64 * 1024;

/// The longest the client waits for such a body, whatever the read timeout: a slow body
/// costs its connection and at most this much of the request's time.
const MAX_DRAIN_TIME: Duration = Duration::from_secs(1);

/// Reads what is left of `body`, keeping its first `keep` bytes. Reads at most
/// [`MAX_DRAIN`] bytes, for at most the read timeout and [`MAX_DRAIN_TIME`]: a larger or
/// slower body is dropped, which closes its connection (only its stream on HTTP/2). A
/// failing body ends the drain with what it gave: it was informational.
pub(super) async fn drain(
    mut body: ResponseBody,
    keep: usize,
    read_timeout: Option<Duration>,
) -> Bytes {
    let limit = read_timeout.map_or(MAX_DRAIN_TIME, |read| read.min(MAX_DRAIN_TIME));
    let mut kept = BytesMut::new();
    let reading = async {
        let mut drained = 0;
        while let Some(Ok(chunk)) = body.next().await {
            let room = keep.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
            drained += chunk.len();
            if drained > MAX_DRAIN {
                break;
            }
        }
        Ok(())
    };
    let _ = crate::timeouts::within(reading, Some(limit), ErrorKind::ReadTimeout).await;
    kept.freeze()
}
