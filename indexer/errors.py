"""Indexer errors: each message says how to fix the problem."""


class IndexerError(Exception):
    """Base class for errors raised while building or reading an index."""


class IngestError(IndexerError):
    """A file could not be read as an article."""


class IndexNotFoundError(IndexerError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(
            f"No index at {index_dir}. Build one with: accordingto index samples/ "
            f"--index-dir {index_dir}"
        )


class IndexFormatError(IndexerError):
    """The index on disk is unreadable or of another format version."""


class EmbeddingModelMismatchError(IndexerError):
    def __init__(self, index_model: str, configured_model: str) -> None:
        super().__init__(
            f"The index was built with embedding model '{index_model}' but the service is "
            f"configured with '{configured_model}'. Set ACCORDINGTO_EMBEDDING_MODEL="
            f"{index_model} or rebuild the index with: accordingto index PATH --rebuild"
        )


class IndexWriteError(IndexerError):
    """The index directory cannot be written (read-only, full, no permission)."""
