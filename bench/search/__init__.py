"""bench/search: retrieval latency on a synthetic corpus of 100,000 chunks, HNSW against exact numpy search.

    .venv/bin/python -m bench.search                       # 100k chunks, TF-IDF + LSA vectors, 200 queries
    .venv/bin/python -m bench.search --vectors minilm      # embed the corpus with MiniLM (needs the ai extra; slow)
    .venv/bin/python -m bench.search --chunks 20000 --queries 100

The corpus: every chunk of docs/ is a topic (its word distribution, smoothed); each synthetic chunk draws 80–200
words from a mixture of two or three topics (Dirichlet weights, Zipf-distributed topic popularity) plus 10 %
background words. So the text has the docs' vocabulary and realistic clustering, which matters: HNSW is fast and
accurate on clustered vectors and poor on uniform random ones. Queries are 6–14 words drawn the same way, never
part of the corpus.

It builds what production builds (BM25 index, vectoriser, exact and HNSW vector indexes, an IndexBundle) in
memory and times, one query at a time on one thread: the query embedding, BM25, the exact and the HNSW
dense search, and the whole hybrid ranking (`devex.retrieval.search.rank`: embedding + BM25 + dense + RRF +
relevance) with each index. Only the final database fetch of the k chunk rows (one primary-key query) is left
out. recall@10 of HNSW is measured against the exact top 10 of the same run.
"""
