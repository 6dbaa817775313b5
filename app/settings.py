"""All settings in one typed object, read from ACCORDINGTO_* environment variables
(and the standard OPENAI_* ones for the LLM endpoint)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORDINGTO_", extra="ignore")

    index_dir: Path = Path("index")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="all-MiniLM-L6-v2 (bundled) or the path of a local sentence-transformers model",
    )
    chunk_max_chars: int = Field(600, ge=100, le=20_000)
    chunk_overlap: int = Field(
        1, ge=0, le=10, description="sentences shared by neighbouring chunks"
    )
    embed_batch_size: int = Field(64, ge=1)
    # Where builds put chunk vectors (a reader follows the index manifest): FAISS files
    # beside the index, or Milvus (pip install 'accordingto[milvus]').
    vector_store: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str | None = Field(
        None,
        description="a file path runs Milvus Lite embedded, http://host:19530 a Milvus server;"
        " default INDEX_DIR/milvus.db",
    )

    default_top_k: int = Field(5, ge=1, le=50)
    max_top_k: int = Field(50, ge=1)
    max_question_chars: int = Field(2000, ge=10)
    # Below this cosine similarity between question and best sentence, the extractive
    # generator says the articles hold nothing on the question.
    min_answer_similarity: float = Field(0.35, ge=0.0, le=1.0)
    max_answer_sentences: int = Field(4, ge=1, le=20)

    generator: Literal["extractive", "llm"] = "extractive"
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("ACCORDINGTO_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ACCORDINGTO_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = Field(20.0, gt=0, description="seconds per LLM request")
    llm_max_retries: int = Field(1, ge=0, le=5)
    llm_max_tokens: int = Field(512, ge=16)
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    # What becomes of an answer sentence its citations do not support: flagged in the
    # warnings, removed from the answer, or the whole answer replaced by the extractive one.
    unsupported_action: Literal["flag", "remove", "replace"] = "flag"

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_base_url or self.openai_api_key)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
