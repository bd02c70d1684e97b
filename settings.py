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
    # The web server of `bot.py serve` (webhooks). PUBLIC_URL: how Telegram reaches it (https://...);
    # without it Telegram is polled.
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # Public links to the bot, for the QR codes of the printed poster (staff pages, In ấn).
    telegram_bot_username: str | None = None  # else asked of Telegram when `serve` runs it
    zalo_oa_url: str | None = None
    zalo_bot_url: str | None = None
    # Zalo Official Account (see .env.example for where each value is found).
    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_access_token: SecretStr | None = None
    zalo_refresh_token: SecretStr | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_rate: float = Field(default=10.0, gt=0)
    # Per resident, on both Zalo channels (OA and Bot): messages a second, and the short burst one chat
    # may get. Neither platform publishes a figure; Telegram's 1/s is the model.
    zalo_per_chat: float = Field(default=1.0, gt=0)
    zalo_burst: int = Field(default=3, ge=1)
    # Reminders and notices only to residents who wrote within 48 h (free); false: also up to 7
    # days, billed to the OA.
    zalo_free_only: bool = True
    # Zalo query buttons under replies instead of numbered options (check on your OA first).
    zalo_oa_buttons: bool = False
    # Zalo Bot Platform (Zalo Bot Creator): the bot's token; the API address (tests change it).
    zalo_bot_token: SecretStr | None = None
    zalo_bot_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_bot_rate: float = Field(default=10.0, gt=0)
    # Staff, as channel:id pairs: ADMIN_IDS=telegram:123456,console:1
    admin_ids: str = ""
    files_dir: Path = ROOT / "data" / "files"
    log_level: str = "INFO"
    max_message_chars: int = Field(default=1000, ge=50)

    @property
    def zalo_configured(self) -> bool:
        return bool(self.zalo_app_id and self.zalo_app_secret and self.zalo_oa_secret_key
                    and self.zalo_access_token and self.zalo_refresh_token)

    @property
    def admins(self) -> frozenset[tuple[str, str]]:
        pairs = set()
        for item in self.admin_ids.replace(";", ",").split(","):
            channel, _, user = item.strip().partition(":")
            if channel and user:
                pairs.add((channel.strip().lower(), user.strip()))
        return frozenset(pairs)
