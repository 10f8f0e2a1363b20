import io

import pytest

from sandbox.client import EngineProtocolError, FrameDecoder, Stream, encode_frame, iter_frames


def test_header_layout_is_dockers() -> None:
    assert encode_frame(Stream.STDERR, b"hi") == b"\x02\x00\x00\x00\x00\x00\x00\x02hi"


def test_frames_round_trip() -> None:
    data = encode_frame(1, b"out\n") + encode_frame(2, b"err\n") + encode_frame(1, b"")
    frames = list(iter_frames(io.BytesIO(data).read))
    assert frames == [(Stream.STDOUT, b"out\n"), (Stream.STDERR, b"err\n"), (Stream.STDOUT, b"")]


def test_big_payload_read_in_pieces() -> None:
    payload = bytes(range(256)) * 1000

    class Dribble:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def read(self, n: int) -> bytes:
            chunk, self.data = self.data[:min(n, 7)], self.data[min(n, 7):]
            return chunk

    assert list(iter_frames(Dribble(encode_frame(1, payload)).read)) == [(Stream.STDOUT, payload)]


def test_stream_cut_inside_a_header_is_an_error() -> None:
    with pytest.raises(EngineProtocolError):
        list(iter_frames(io.BytesIO(b"\x01\x00\x00").read))


def test_stream_cut_inside_a_payload_is_an_error() -> None:
    with pytest.raises(EngineProtocolError):
        list(iter_frames(io.BytesIO(encode_frame(1, b"hello")[:-2]).read))


def test_unknown_stream_id_is_an_error() -> None:
    with pytest.raises(EngineProtocolError):
        list(iter_frames(io.BytesIO(b"\x09\x00\x00\x00\x00\x00\x00\x01x").read))


def test_incremental_decoder_waits_for_whole_frames() -> None:
    data = encode_frame(1, b"abc") + encode_frame(2, b"de")
    decoder = FrameDecoder()
    assert decoder.feed(data[:5]) == []
    assert decoder.pending == 5
    assert decoder.feed(data[5:12]) == [(Stream.STDOUT, b"abc")]
    assert decoder.feed(data[12:]) == [(Stream.STDERR, b"de")]
    assert decoder.pending == 0
