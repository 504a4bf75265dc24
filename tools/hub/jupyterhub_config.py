# JupyterHub configuration of the course's demonstration hub (`make hub`, `make hub-load`, tests/test_hub.py).
#
# tools/hub/classhub.py writes the class's settings (ports, accounts, folders, the course repository) to a JSON
# file and starts `jupyterhub -f` this file with HER2COURSE_HUB_SETTINGS pointing at it. Settings that worked on
# this machine with jupyterhub 6.1.1 and configurable-http-proxy 5.3.0 (see /work/shared/design.md).
#
# A demonstration, not a production hub: every student's server runs as the hub's own Unix user
# (SimpleLocalProcessSpawner). Homes are separate folders, but nothing stops one student's code from reading
# another's. A real class uses one account per student: LocalProcessSpawner with system users, or a container
# spawner (DockerSpawner, KubeSpawner as in Zero to JupyterHub), and the institution's sign-in instead of the
# class list below.
#
# ``c`` is the configuration object that JupyterHub passes in.
# ruff: noqa: F821

import hmac
import json
import os
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Dict

settings = json.loads(Path(os.environ["HER2COURSE_HUB_SETTINGS"]).read_text(encoding="utf-8"))
state = Path(settings["state"])
accounts = json.loads(Path(settings["accounts"]).read_text(encoding="utf-8"))


class ClassListAuthenticator(Authenticator):
    """Each account on the class list signs in with its own password (unlike a shared class password, one student
    cannot sign in as another)."""

    passwords = Dict(config=True, help="username -> password")

    async def authenticate(self, handler, data):
        name, given = data.get("username", ""), data.get("password", "")
        expected = self.passwords.get(name)
        if expected is not None and hmac.compare_digest(expected.encode(), given.encode()):
            return name
        return None


# ---- where it listens: only on this machine
c.JupyterHub.bind_url = f"http://127.0.0.1:{settings['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_api_port']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

# ---- its own files
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server
c.JupyterHub.cleanup_proxy = True

# ---- who signs in
c.JupyterHub.authenticator_class = ClassListAuthenticator
c.ClassListAuthenticator.passwords = accounts
c.Authenticator.allowed_users = set(settings["students"])
c.Authenticator.admin_users = {settings["instructor"]}

# ---- each student's server: the course's Python environment, started in the student's own home folder
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.cmd = [str(Path(settings["bin"]) / "jupyterhub-singleuser")]
c.Spawner.args = [
    *(["--allow-root"] if os.geteuid() == 0 else []),  # the hub runs as root on this machine
    "--LabApp.news_url=",  # offline: no news feed, no update check
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300  # a whole class arriving at once on two cores
c.Spawner.http_timeout = 300
c.Spawner.environment = {
    # every process of this hub carries its folder, so `classhub.py stop` can prove none is left
    settings["mark"]: str(state),
    # nbgitpuller clones the course from a local repository: trust it even when another Unix user owns it
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "safe.directory",
    "GIT_CONFIG_VALUE_0": settings["repo_dir"],
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
