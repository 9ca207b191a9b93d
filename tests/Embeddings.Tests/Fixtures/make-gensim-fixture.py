#!/usr/bin/python3
"""Writes the gensim fixtures: a tiny word2vec model saved by gensim 4.2 (Debian's python3-gensim) in both
word2vec formats, and the vectors as gensim itself reads them back (gensim-expected.txt). Run from this folder
with /usr/bin/python3; the outputs are committed, so the tests never need gensim."""
from gensim.models import Word2Vec
from gensim.models import KeyedVectors

sentences = [
    "the jury said the election was conducted".split(),
    "the jury praised the city for the manner".split(),
    "the election was praised by the city".split(),
    "naïve voters said nothing".split(),
] * 20
model = Word2Vec(sentences, vector_size=8, window=2, min_count=1, sg=1, negative=3, epochs=3, seed=7, workers=1)
model.wv.save_word2vec_format("gensim.bin", binary=True)
model.wv.save_word2vec_format("gensim.txt", binary=False)
loaded = KeyedVectors.load_word2vec_format("gensim.bin", binary=True)
with open("gensim-expected.txt", "w", encoding="utf-8") as out:
    for word in ["the", "jury", "naïve", "nothing"]:
        out.write(word + " " + " ".join(repr(float(v)) for v in loaded[word]) + "\n")
