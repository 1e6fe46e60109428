import pickle

import jieba
import pytest

from complaintmine import Tokenizer, normalize, tokenize
from complaintmine.errors import ModelFileError
from complaintmine.tokenizer import available_backends, domain_words, stopwords


def test_traditional_seed_phrase_tokenizes_into_simplified_words():
    assert Tokenizer().tokenize(normalize("商場客戶投訴")) == ["商场", "客户", "投诉"]


def test_domain_dictionary_is_large_enough():
    assert len(domain_words()) >= 200


@pytest.mark.parametrize(
    "word", ["送餐员", "货不对版", "霸王条款", "快递小哥", "不新鲜", "给个说法", "设施陈旧", "外卖小哥"]
)
def test_dictionary_keeps_words_that_jieba_alone_splits(word, negative_reviews):
    plain = jieba.Tokenizer()
    assert plain.lcut(word) != [word], f"jieba's own dictionary already keeps {word} whole"
    sentences = [t for t in negative_reviews["text"] if word in t][:20]
    assert sentences, f"{word} should occur in the real corpora"
    tok = Tokenizer(remove_stopwords=False, keep_punct=True)
    kept = sum(word in tok.tokenize(normalize(s)) for s in sentences)
    split = sum(word not in plain.lcut(normalize(s)) for s in sentences)
    assert kept >= 0.8 * len(sentences)
    assert split >= 0.5 * len(sentences)


def test_every_domain_word_is_split_by_plain_jieba():
    plain = jieba.Tokenizer()
    joined = [w for w in domain_words() if plain.lcut(w) == [w]]
    assert not joined, f"these need no dictionary entry: {joined[:10]}"


def test_stopwords_drop_function_words_but_keep_negations_and_intensifiers():
    toks = tokenize("这家的菜不好吃，没有味道，分量太少了，服务很差，非常失望，我再也不来了")
    for kept in ("不好吃", "没有", "太少", "很差", "非常", "再也不来"):
        assert kept in toks, (kept, toks)
    assert tokenize("不 没 太 很 非常 的 了") == ["不", "没", "太", "很", "非常"]
    assert "的" not in toks and "了" not in toks and "我" not in toks
    assert {"不", "没", "太", "很", "非常"}.isdisjoint(stopwords())


def test_punctuation_and_placeholders():
    tok = Tokenizer()
    assert tok.tokenize("电话<PHONE>没人接!!!") == ["电话", "<PHONE>", "没人接"]
    assert "!!!" in "".join(Tokenizer(keep_punct=True).tokenize("没人接!!!"))


def test_user_words_and_dictionaries(tmp_path):
    assert "蜜雪冰城" not in Tokenizer().tokenize("蜜雪冰城的奶茶")
    assert "蜜雪冰城" in Tokenizer(user_words=["蜜雪冰城"]).tokenize("蜜雪冰城的奶茶")
    path = tmp_path / "mine.txt"
    path.write_text("蜜雪冰城 50 nz\n", encoding="utf-8")
    assert "蜜雪冰城" in Tokenizer(user_dicts=[path]).tokenize("蜜雪冰城的奶茶")
    assert "奶茶" not in Tokenizer(extra_stopwords=["奶茶"]).tokenize("蜜雪冰城的奶茶")
    tok = Tokenizer().add_word("蜜雪冰城")
    assert "蜜雪冰城" in tok.tokenize("蜜雪冰城的奶茶")


def test_bad_user_dictionary_is_refused(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("好词 not-a-number\n", encoding="utf-8")
    with pytest.raises(ModelFileError, match="line 1"):
        Tokenizer(user_dicts=[bad])
    with pytest.raises(ModelFileError, match="not found"):
        Tokenizer(user_dicts=[tmp_path / "missing.txt"])


def test_tokenizer_pickles_without_its_engine(real_texts):
    tok = Tokenizer(user_words=["蜜雪冰城"])
    before = [tok.tokenize(normalize(t)) for t in real_texts[:50]]
    blob = pickle.dumps(tok)
    assert len(blob) < 20_000  # configuration only, the segmenter is rebuilt lazily
    again = pickle.loads(blob)
    assert [again.tokenize(normalize(t)) for t in real_texts[:50]] == before
    assert "蜜雪冰城" in again.tokenize("蜜雪冰城")


def test_empty_and_non_text():
    assert Tokenizer().tokenize("") == []
    assert Tokenizer().tokenize(None) == []  # type: ignore[arg-type]


@pytest.mark.skipif("rjieba" not in available_backends(), reason="rjieba (complaintmine[fast]) not installed")
def test_rjieba_backend_matches_jieba_on_5000_real_reviews(negative_reviews):
    texts = [normalize(t) for t in negative_reviews["text"].sample(5000, random_state=1)]
    slow, fast = Tokenizer("jieba"), Tokenizer("rjieba")
    same = sum(slow.cut(t) == fast.cut(t) for t in texts)
    assert same / len(texts) >= 0.995, f"only {same} of {len(texts)} identical"


def test_unknown_backend():
    with pytest.raises(ValueError, match="backend"):
        Tokenizer("spacy")
