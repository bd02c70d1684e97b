"""Configuration from the environment and .env. Every setting is documented in .env.example."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)

    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'data' / 'bot.db'}"
    content_file: Path = ROOT / "content" / "week.yaml"
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str | None = None
    # Sending limits (Telegram: about 30 messages/s overall, 1/s per chat; bursts of a few are fine).
    telegram_rate: float = Field(default=30.0, gt=0)
    telegram_per_chat: float = Field(default=1.0, gt=0)
    telegram_burst: int = Field(default=3, ge=1)
    telegram_allow_paid_broadcast: bool = False
    # Staff, as channel:id pairs: ADMIN_IDS=telegram:123456,console:1
    admin_ids: str = ""
    files_dir: Path = ROOT / "data" / "files"
    log_level: str = "INFO"
    max_message_chars: int = Field(default=1000, ge=50)

    @property
    def admins(self) -> frozenset[tuple[str, str]]:
        pairs = set()
        for item in self.admin_ids.replace(";", ",").split(","):
            channel, _, user = item.strip().partition(":")
            if channel and user:
                pairs.add((channel.strip().lower(), user.strip()))
        return frozenset(pairs)
