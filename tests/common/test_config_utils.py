import pytest
from pydantic import ValidationError

from ytcaption_common.config_utils import BaseServiceSettings


class DownloaderSettings(BaseServiceSettings):
    service_name: str = "video-downloader"
    max_parallel: int = 2


def test_defaults_and_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_REDIS_URL", "redis://cache:6379/1")
    monkeypatch.setenv("YTC_LOG_LEVEL", "debug")
    monkeypatch.setenv("YTC_MAX_PARALLEL", "5")
    settings = DownloaderSettings()
    assert settings.service_name == "video-downloader"
    assert settings.redis_url == "redis://cache:6379/1"
    assert settings.log_level == "DEBUG"
    assert settings.max_parallel == 5


def test_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("YTC_DEBUG=true\nYTC_SERVICE_NAME=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    settings = BaseServiceSettings()
    assert settings.debug is True and settings.service_name == "from-dotenv"


def test_unknown_log_level_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_LOG_LEVEL", "chatty")
    with pytest.raises(ValidationError, match="unknown log level 'chatty'"):
        BaseServiceSettings()
