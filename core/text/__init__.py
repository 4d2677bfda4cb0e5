"""The text toolkit every stage shares: HTML to text and the one sanitizer policy
(`html`), web URL checks (`urls`), sentence splitting (`sentences`). Language codes and
names are in `rabkor.core.languages`."""
