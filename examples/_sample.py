"""A small slice of the bundled text8 sample, shared by the examples."""
from fastw2v.corpus import iter_token_chunks
from fastw2v.data import TEXT8_SAMPLE


def text8_slice(n_words, sentence_length=1000):
    """The first ``n_words`` words of the bundled text8 sample, as sentences of 1,000 words."""
    words = []
    for tokens, _ in iter_token_chunks(str(TEXT8_SAMPLE)):
        words.extend(tokens)
        if len(words) >= n_words:
            break
    words = words[:n_words]
    return [words[i:i + sentence_length] for i in range(0, len(words), sentence_length)]
