"""Build a tiny, reproducible `.argosmodel`: random CTranslate2 weights, real SentencePiece.

The tests need the real Argos loading and translation path without downloading a model.
The weights are random, so translations are nonsense; everything around them is real:
a CTranslate2 Transformer built from `ctranslate2.specs`, a SentencePiece model trained
on real sentences (tests/data/sentences, Tatoeba), packed the way Argos packs packages.
Fixed seeds, single-threaded training and fixed zip timestamps make the output
byte-for-byte the same on every run.

    python -m tests.argos_model OUT.argosmodel --from en --to es [--layers 6 --d-model 512]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, transformer_spec

SENTENCES = Path(__file__).parent / "data" / "sentences"
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
EOS_BIAS = 3.0  # makes </s> likely: outputs of 1–40 tokens, not CTranslate2's 256 cap


def build_argosmodel(
    out_path: Path | str,
    from_code: str,
    to_code: str,
    *,
    layers: int = 2,
    d_model: int = 64,
    heads: int = 2,
    ffn: int = 128,
    vocab_size: int = 1000,
    seed: int = 0,
    quantization: str | None = None,
    corpus: Sequence[str] | None = None,
    tokenizer: bytes | None = None,
) -> Path:
    """Write the package to `out_path` and return it; same arguments, same bytes.

    The SentencePiece vocabulary is trained on `corpus` (lines of text) when given, else
    on the fixture sentences of both languages; `tokenizer` (a serialized SentencePiece
    model, from `train_sentencepiece`) skips the training, e.g. to share one vocabulary
    between several packages.
    """
    out_path = Path(out_path)
    if tokenizer is None:
        tokenizer = train_sentencepiece(
            _fixture_lines([from_code, to_code]) if corpus is None else list(corpus), vocab_size)
    pieces = _pieces(tokenizer)
    spec = _random_transformer(len(pieces), layers, d_model, heads, ffn, seed)
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    spec.validate()
    spec.optimize(quantization=quantization)
    with tempfile.TemporaryDirectory() as tmp:
        spec.save(tmp)
        model_files = {f"model/{p.name}": p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    folder = f"translate-{from_code}_{to_code}-fixture"
    files = {
        "metadata.json": _metadata(from_code, to_code).encode(),
        "README.md": b"Test fixture built by tests/argos_model.py: random weights.\n",
        "sentencepiece.model": tokenizer,
        **model_files,
    }
    _write_zip(out_path, folder, files)
    return out_path


def _fixture_lines(codes: list[str]) -> list[str]:
    """The fixture sentences (tests/data/sentences) of the given languages."""
    lines: list[str] = []
    for code in codes:
        path = SENTENCES / f"{code}.txt"
        lines += path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if not lines:
        raise SystemExit(f"no sentences for {codes} in {SENTENCES}")
    return lines


def train_sentencepiece(lines: Sequence[str], vocab_size: int) -> bytes:
    """A unigram SentencePiece model of at most `vocab_size` pieces, deterministically.

    Single-threaded, unshuffled and with every input sentence used, so the same lines
    give the same bytes. `hard_vocab_limit=False`: a small corpus yields fewer pieces.
    """
    if not lines:
        raise ValueError("no sentences to train the SentencePiece model on")
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        seed_sentencepiece_size=100_000,
        shuffle_input_sentence=False,
        input_sentence_size=0,  # every sentence: no random sampling
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(model: bytes) -> list[str]:
    sp = spm.SentencePieceProcessor(model_proto=model)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _random_transformer(
    vocab: int, layers: int, d: int, heads: int, ffn: int, seed: int
) -> transformer_spec.TransformerSpec:
    """Every weight of a pre-norm Transformer, filled with small random numbers."""
    rng = np.random.default_rng(seed)
    spec = transformer_spec.TransformerSpec.from_config(layers, heads)

    def linear(lin: common_spec.LinearSpec, out_dim: int, in_dim: int) -> None:
        lin.weight = (rng.standard_normal((out_dim, in_dim)) / np.sqrt(in_dim)).astype(np.float32)
        lin.bias = np.zeros(out_dim, dtype=np.float32)

    def norm(ln: common_spec.LayerNormSpec) -> None:
        ln.gamma = np.ones(d, dtype=np.float32)
        ln.beta = np.zeros(d, dtype=np.float32)

    def embeddings(emb: common_spec.EmbeddingsSpec) -> None:
        emb.weight = (rng.standard_normal((vocab, d)) * 0.1).astype(np.float32)

    def feed_forward(block) -> None:
        norm(block.layer_norm)
        linear(block.linear_0, ffn, d)
        linear(block.linear_1, d, ffn)

    encoder, decoder = spec.encoder, spec.decoder
    embeddings(encoder.embeddings[0])
    norm(encoder.layer_norm)
    for layer in encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        feed_forward(layer.ffn)
    embeddings(decoder.embeddings)
    norm(decoder.layer_norm)
    linear(decoder.projection, vocab, d)
    decoder.projection.bias[2] = EOS_BIAS  # SentencePiece puts </s> at id 2
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)
        linear(layer.attention.linear[1], 2 * d, d)
        linear(layer.attention.linear[2], d, d)
        feed_forward(layer.ffn)
    return spec


def _metadata(from_code: str, to_code: str) -> str:
    names = {"en": "English", "es": "Spanish", "de": "German", "fr": "French"}
    return json.dumps(
        {
            "package_version": "0.0.1",
            "argos_version": "1.11",
            "from_code": from_code,
            "from_name": names.get(from_code, from_code),
            "to_code": to_code,
            "to_name": names.get(to_code, to_code),
            "type": "translate",
            "code": f"translate-{from_code}_{to_code}",
            "links": [],
        },
        indent=2,
        sort_keys=True,
    )


def _write_zip(out_path: Path, folder: str, files: dict[str, bytes]) -> None:
    """Sorted members, fixed timestamps and permissions: a reproducible archive."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--from", dest="from_code", default="en")
    parser.add_argument("--to", dest="to_code", default="es")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--heads", type=int, default=2)
    parser.add_argument("--ffn", type=int, default=128)
    parser.add_argument("--vocab", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--int8", action="store_true", help="quantize the weights to int8")
    args = parser.parse_args(argv)
    path = build_argosmodel(
        args.out, args.from_code, args.to_code, layers=args.layers, d_model=args.d_model,
        heads=args.heads, ffn=args.ffn, vocab_size=args.vocab, seed=args.seed,
        quantization="int8" if args.int8 else None,
    )
    print(path)


if __name__ == "__main__":
    main()
