//! Reading a request body with a cap. A body without `Content-Length` (chunked) is read
//! piece by piece and refused as soon as it passes the cap, never held whole first.

use futures::{Stream, StreamExt};

/// Why a body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// It passed the cap (413).
    TooLarge,
    /// The connection failed while reading it, or it is not UTF-8 (400).
    Unreadable,
}

/// The body as text, read from `pieces` until it ends or passes `cap` bytes.
pub async fn read_capped<S, E>(pieces: S, cap: usize) -> Result<String, BodyError>
where
    S: Stream<Item = Result<Vec<u8>, E>>,
{
    let mut pieces = std::pin::pin!(pieces);
    let mut body = Vec::new();
    while let Some(piece) = pieces.next().await {
        let piece = piece.map_err(|_| BodyError::Unreadable)?;
        if body.len() + piece.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&piece);
    }
    String::from_utf8(body).map_err(|_| BodyError::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::stream;
    use std::cell::Cell;

    #[test]
    fn a_body_within_the_cap_is_read_whole() {
        let pieces = stream::iter([Ok::<_, ()>(b"ab".to_vec()), Ok(b"cd".to_vec())]);
        assert_eq!(block_on(read_capped(pieces, 4)), Ok("abcd".to_owned()));
    }

    #[test]
    fn a_chunked_body_past_the_cap_is_refused_before_the_rest_is_read() {
        let pulled = Cell::new(0);
        let pieces = stream::iter(0..1_000).map(|_| {
            pulled.set(pulled.get() + 1);
            Ok::<_, ()>(vec![b'x'; 1024])
        });
        assert_eq!(
            block_on(read_capped(pieces, 4 * 1024)),
            Err(BodyError::TooLarge)
        );
        assert_eq!(
            pulled.get(),
            5,
            "reading stops at the piece that passes the cap"
        );
    }

    #[test]
    fn a_broken_or_binary_body_is_unreadable() {
        let broken = stream::iter([Ok(b"ab".to_vec()), Err(())]);
        assert_eq!(
            block_on(read_capped(broken, 10)),
            Err(BodyError::Unreadable)
        );
        let binary = stream::iter([Ok::<_, ()>(vec![0xff, 0xfe])]);
        assert_eq!(
            block_on(read_capped(binary, 10)),
            Err(BodyError::Unreadable)
        );
    }
}
