#!/usr/bin/env python3
"""Is it the learner? Compares other learners with the shipped text models on exactly their folds.

Exploration only: not part of CI, of scripts/train-models.sh or of any shipped model (those are trained in
Java). It answers one question behind issue #8's missed targets: would a differently regularised or
non-linear learner over the same kind of features reach them? Nothing here reads a validation split.

  davidson  out-of-fold figures on text-abuse's training split and its 5 folds, read from the split.tsv that
            `TextAbuseRecipeSearch <data> <out> --split-only` writes (same ids, same folds as the trainer).
            Two-head learners get the trainer's soft targets (each tweet a positive of weight = vote share
            and a negative of weight 1 - share) and its three-class rule (hate, abusive - hate, 1 - abusive).
  youtube   comment spam, leave-one-video-out over the training videos only (the held-out validation video,
            given with --held-out, is never read).

Needs scikit-learn (Debian: apt-get install python3-sklearn; checked with 1.2.1). Seeded; about 1 minute per
linear candidate and 5 minutes for the MLP on 2 cores.

  python3 model-artifacts/exploration/linear_ceiling.py davidson model-artifacts/data <out>/split.tsv
  python3 model-artifacts/exploration/linear_ceiling.py youtube model-artifacts/data --held-out Youtube03-LMFAO
"""
import argparse
import csv
import html
import re
import sys
import time

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.svm import LinearSVC


def normalise(text):
    """Roughly the featurizer's short-text rules: entities, URLs, mentions, elongations, case."""
    text = html.unescape(text)
    text = re.sub(r"https?://\S+|www\.\S+", " URL ", text)
    text = re.sub(r"@\w+", " @USER ", text)
    text = re.sub(r"(.)\1{2,}", r"\1\1", text)
    return text.lower()


def words():
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)


def chars_in_words():
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)


def chars_across_words():
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=2)


def features(vectorizers, train_texts, test_texts):
    train = hstack([v.fit_transform(train_texts) for v in vectorizers]).tocsr()
    test = hstack([v.transform(test_texts) for v in vectorizers]).tocsr()
    return train, test


def soft_logistic(x, share, c, scale=None):
    """L2 logistic regression on soft targets; `scale` multiplies the features (NB-SVM's log-count ratios)."""
    rows = vstack([x, x])
    y = np.r_[np.ones(len(share)), np.zeros(len(share))]
    w = np.r_[share, 1 - share]
    keep = w > 0
    model = LogisticRegression(C=c, max_iter=3000).fit(rows[keep], y[keep], sample_weight=w[keep])
    return model


def nb_ratio(x, share, alpha=1.0):
    """Wang & Manning's log-count ratio r over binarised features, with soft counts."""
    binary = (x > 0).astype(np.float64)
    p = alpha + binary.T @ share
    q = alpha + binary.T @ (1 - share)
    return np.log((p / p.sum()) / (q / q.sum()))


def load_davidson(data_dir, split_file):
    rows = {}
    with open(f"{data_dir}/davidson-2017/labeled_data.dev.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            rows[row[0].zfill(6)] = row
    ids, folds = [], []
    with open(split_file) as f:
        next(f)
        for line in f:
            tweet_id, fold = line.split()
            ids.append(tweet_id)
            folds.append(int(fold))
    data = [rows[i] for i in ids]
    count = np.array([int(d[1]) for d in data], dtype=float)
    votes = np.array([[int(d[2]), int(d[3]), int(d[4])] for d in data], dtype=float)
    majority = np.array([int(d[5]) for d in data])
    texts = [normalise(d[6]) for d in data]
    shares = [votes[:, 0] / count, (votes[:, 0] + votes[:, 1]) / count]  # hate, abusive (hate or offensive)
    return texts, np.array(folds), shares, majority


def davidson(args):
    texts, folds, shares, majority = load_davidson(args.data, args.split)
    hate, abusive = majority == 0, majority != 2
    print(f"# {len(texts)} training tweets, {folds.max() + 1} folds, hate {hate.sum()}, abusive {abusive.sum()}")
    print("| learner | hate ROC-AUC | hate AP | hate best F1 | abusive ROC-AUC | three-class weighted F1 | s |")
    print("|---|---:|---:|---:|---:|---:|---:|")

    def report(name, hate_score, abusive_score, three_class, started):
        p, r, _ = precision_recall_curve(hate, hate_score)
        best_f1 = (2 * p * r / np.maximum(p + r, 1e-12)).max()
        print(
            f"| {name} | {roc_auc_score(hate, hate_score):.4f} | {average_precision_score(hate, hate_score):.4f} "
            f"| {best_f1:.4f} | {roc_auc_score(abusive, abusive_score):.4f} "
            f"| {f1_score(majority, three_class, average='weighted'):.4f} | {time.time() - started:.0f} |",
            flush=True,
        )

    def two_heads(name, vectorizers, fit_head):
        started = time.time()
        oof = np.zeros((2, len(texts)))
        for k in range(folds.max() + 1):
            train, test = np.where(folds != k)[0], np.where(folds == k)[0]
            x_train, x_test = features(vectorizers(), [texts[i] for i in train], [texts[i] for i in test])
            for h in range(2):
                oof[h, test] = fit_head(x_train, shares[h][train], majority[train], h)(x_test)
        rule = np.c_[oof[0], np.maximum(oof[1] - oof[0], 0), 1 - oof[1]].argmax(1)
        report(name, oof[0], oof[1], rule, started)

    def three_classes(name, vectorizers, make):
        started = time.time()
        oof = np.zeros((len(texts), 3))
        for k in range(folds.max() + 1):
            train, test = np.where(folds != k)[0], np.where(folds == k)[0]
            x_train, x_test = features(vectorizers(), [texts[i] for i in train], [texts[i] for i in test])
            model = make().fit(x_train, majority[train])
            oof[test] = model.predict_proba(x_test) if hasattr(model, "predict_proba") else model.decision_function(x_test)
        report(name, oof[:, 0], -oof[:, 2], oof.argmax(1), started)

    def positive(model, transform=lambda m: m):
        return lambda x_test: model.predict_proba(transform(x_test))[:, 1]

    def soft(c):
        return lambda x, share, _, h: positive(soft_logistic(x, share, c))

    def hard(c, balanced=False):
        def fit(x, _, labels, h):
            y = labels == 0 if h == 0 else labels != 2
            weight = "balanced" if balanced else None
            return positive(LogisticRegression(C=c, max_iter=3000, class_weight=weight).fit(x, y))

        return fit

    def nb_svm(c):
        def fit(x, share, _, h):
            r = nb_ratio(x, share)
            scaled = lambda m: csr_matrix((m > 0).astype(np.float64).multiply(r))
            return positive(soft_logistic(scaled(x), share, c), scaled)

        return fit

    both = lambda: [words(), chars_in_words()]
    capped = lambda: [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=3, max_features=30000),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=3, max_features=30000),
    ]
    candidates = {
        "c4": lambda: two_heads("L2 logistic, soft targets, words 1–2 + chars in words 2–5, C 4", both, soft(4)),
        "c1": lambda: two_heads("the same, C 1", both, soft(1)),
        "c0.5": lambda: two_heads("the same, C 0.5", both, soft(0.5)),
        "c16": lambda: two_heads("the same, C 16", both, soft(16)),
        "across": lambda: two_heads(
            "the same with chars 1–5 across word boundaries, C 4", lambda: [words(), chars_across_words()], soft(4)
        ),
        "hard": lambda: two_heads("L2 logistic, majority labels, C 4", both, hard(4)),
        "balanced": lambda: two_heads("L2 logistic, majority labels, class-balanced, C 1", both, hard(1, True)),
        "nbsvm": lambda: two_heads("NB-SVM (binary features × log-count ratio), soft targets, C 4", both, nb_svm(4)),
        "multinomial": lambda: three_classes(
            "multinomial logistic, 3 classes, C 4", both, lambda: LogisticRegression(C=4, max_iter=3000)
        ),
        "svm": lambda: three_classes("linear SVM, one-vs-rest, 3 classes, C 0.1", both, lambda: LinearSVC(C=0.1)),
        "svm0.03": lambda: three_classes("the same, C 0.03", both, lambda: LinearSVC(C=0.03)),
        "svm0.3": lambda: three_classes("the same, C 0.3", both, lambda: LinearSVC(C=0.3)),
        "svm-balanced": lambda: three_classes(
            "the same, C 0.1, class-balanced", both, lambda: LinearSVC(C=0.1, class_weight="balanced")
        ),
        "mlp": lambda: three_classes(
            "MLP, 64 ReLU units, 8 epochs, 30k word + 30k char features",
            capped,
            lambda: MLPClassifier(hidden_layer_sizes=(64,), alpha=1e-3, max_iter=8, random_state=1),
        ),
    }
    for key in args.only.split(",") if args.only else candidates:
        candidates[key]()


def youtube(args):
    import glob
    import os

    videos = {}
    for path in sorted(glob.glob(f"{args.data}/youtube-spam-2015/Youtube*.csv")):
        name = os.path.basename(path)[:-4]
        if name == args.held_out:
            continue
        with open(path, newline="", encoding="utf-8") as f:
            videos[name] = [(normalise(r["CONTENT"]), int(r["CLASS"])) for r in csv.DictReader(f)]
    print(f"# leave one training video out; {args.held_out} (validation) not read")
    print("| learner | " + " | ".join(videos) + " | mean |")
    print("|---|" + "---:|" * (len(videos) + 1))
    for label, vectorizers in [("words 1–2", lambda: [words()]), ("words 1–2 + chars in words 2–5", lambda: [words(), chars_in_words()])]:
        for c in (1, 4, 16):
            aucs = []
            for held in videos:
                train = [x for v, items in videos.items() if v != held for x in items]
                x_train, x_test = features(vectorizers(), [t for t, _ in train], [t for t, _ in videos[held]])
                model = LogisticRegression(C=c, max_iter=3000).fit(x_train, [y for _, y in train])
                aucs.append(roc_auc_score([y for _, y in videos[held]], model.predict_proba(x_test)[:, 1]))
            print(f"| L2 logistic, {label}, C {c} | " + " | ".join(f"{a:.4f}" for a in aucs) + f" | {np.mean(aucs):.4f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="corpus", required=True)
    d = sub.add_parser("davidson")
    d.add_argument("data")
    d.add_argument("split")
    d.add_argument("--only", help="comma-separated keys: c4,c1,c0.5,c16,across,hard,balanced,nbsvm,multinomial,svm,svm0.03,svm0.3,svm-balanced,mlp")
    y = sub.add_parser("youtube")
    y.add_argument("data")
    y.add_argument("--held-out", required=True)
    args = parser.parse_args()
    davidson(args) if args.corpus == "davidson" else youtube(args)


if __name__ == "__main__":
    sys.exit(main())
