"""`news import FILE [--publish]`: a post from a Markdown file with a small header (see
`news.importer` and the README), for scripted publishing."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from campaign.audit.service import command_line_actor
from campaign.common.errors import DomainError
from campaign.common.urls import absolute_url
from campaign.news.importer import decode_post_file, parse_post_file
from campaign.news.service import create_post


@click.group("news", help="Publish news posts and briefings.")
def news():
    pass


@news.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish at once instead of keeping it as a draft.")
@with_appcontext
def import_command(file: Path, publish: bool):
    """Add a post from FILE: a header (Title:, Summary:, Source:, Publisher:, Source date:,
    Source link:, Slug:, Statements:, Events:), a blank line, then the body in Markdown, with
    optional "## Key takeaways" and "## Quotations" sections."""
    try:
        post = create_post(parse_post_file(decode_post_file(file.read_bytes())), publish=publish,
                           imported=True, actor=command_line_actor())
    except DomainError as error:
        raise click.ClickException(f"{file}: {error.message}") from error
    state = "Published" if post.is_published else "Saved as a draft"
    click.echo(f"{state}: “{post.title}”")
    click.echo(f"  {absolute_url('news.post_page', slug=post.slug)}")


commands = [news]
