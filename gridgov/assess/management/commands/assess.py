"""``gridgov assess score | facts | run``: the assessment (考评) on the command line.

- ``score FILE [--annual FILE…] [--format table|json]``: score a facts document with the scheme it carries — no
  database, so a district can check a result by hand; ``--annual`` adds more months of the same year and prints the
  year (parts 1, 2, 4, 5, 6 at the last month + the mean of part 3).
- ``facts --period YYYY-MM [--district CODE] [-o FILE]``: write the month's facts document from the database.
- ``run --period YYYY-MM [--district CODE] [--file FILE]``: score the month (or the given document) and keep it as
  the month's next revision (not published; publish it on the page or through the API).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.assess.logic import scorer
from gridgov.assess.logic.rules import fmt


def _load(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except OSError as e:
        raise CommandError(f"读不到文件 {path}：{e.strerror}") from None
    except ValueError as e:
        raise CommandError(f"{path} 不是有效的 JSON：{e}") from None


class Command(BaseCommand):
    help = ("考评：gridgov assess score FILE 对考评数据文件计分（无需数据库）；gridgov assess facts --period 2026-11 "
            "生成考评数据文件；gridgov assess run --period 2026-11 计算并保存一个修订版")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["score", "facts", "run"])
        parser.add_argument("file", nargs="?", help="score：考评数据文件（JSON）")
        parser.add_argument("--annual", nargs="*", default=None, help="score：同一年其他月份的考评数据文件，输出年度结果")
        parser.add_argument("--format", choices=["table", "json"], default="table", help="score：输出格式")
        parser.add_argument("--period", help="facts / run：考评月份 YYYY-MM")
        parser.add_argument("--district", default="110101", help="facts / run：区县编码（默认 110101）")
        parser.add_argument("-o", "--output", help="facts：写入的文件（默认输出到屏幕）")
        parser.add_argument("--file", dest="doc_file", help="run：用这个考评数据文件计算")

    def handle(self, action, file, annual, format, period, district, output, doc_file, **options):
        if action == "score":
            return self._score(file, annual, format)
        from gridgov.assess import services
        from gridgov.errors import DomainError

        try:
            if action == "facts":
                if not period:
                    raise CommandError("请给出考评月份：--period 2026-11")
                doc = services.build_facts(period, district)
                text = json.dumps(doc, ensure_ascii=False, indent=1)
                if output:
                    Path(output).write_text(text, "utf-8")
                    self.stdout.write(f"已写入 {output}（{len(doc['units'])} 个街道）")
                else:
                    self.stdout.write(text)
                return
            from gridgov.accounts.models import User

            admin = User.objects.filter(is_superuser=True).order_by("id").first() or \
                User.objects.filter(role="admin").order_by("id").first()
            if admin is None:
                raise CommandError("没有系统管理员账号，无法记录是谁计算的")
            if doc_file:
                run = services.run_document(admin, _load(doc_file), reason=f"命令行：{doc_file}")
            elif period:
                run = services.run_period(admin, period, district)
            else:
                raise CommandError("请给出 --period 或 --file")
            self.stdout.write(f"已计算 {run.period} 第 {run.revision} 版（未发布）")
            self._print(run.result)
        except DomainError as e:
            raise CommandError(e.message) from None

    def _score(self, file, annual, format):
        if not file:
            raise CommandError("请给出考评数据文件：gridgov assess score facts-2026-11.json")
        import datetime as dt
        import zoneinfo

        today = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
        docs = [_load(file)] + [_load(f) for f in (annual or [])]
        try:
            result = scorer.annual(docs, today) if annual is not None else scorer.score(docs[0], today)
        except scorer.FactsError as e:
            raise CommandError(e.message) from None
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
        elif annual is not None:
            self._print_year(result)
        else:
            self._print(result)

    def _print(self, result):
        head, rows = scorer.table(result)
        self.stdout.write(f"{result['period']} {result['district'].get('name', '')} · {result['scheme']['name']}")
        self.stdout.write("\t".join(head))
        for r in rows:
            self.stdout.write("\t".join(fmt(v) if isinstance(v, float) else str(v) for v in r))
        self.stdout.write("")
        for u in result["units"]:
            self.stdout.write(f"{u['rank']}. {u['name']}（{u['code']}）{fmt(u['total'])} 分")
            for i in u["items"]:
                self.stdout.write(f"   {i['name']} {fmt(i['points'])}/{fmt(i['max'])}：{i['explanation']}")

    def _print_year(self, result):
        self.stdout.write(f"{result['year']} 年度 · {result['scheme']['name']} · {'、'.join(result['periods'])}")
        self.stdout.write("名次\t编码\t街道（地区）\t一二四五六部分（年终）\t第三部分月均\t年度得分")
        for u in result["units"]:
            self.stdout.write(f"{u['rank']}\t{u['code']}\t{u['name']}\t{fmt(u['year_end_parts'])}\t"
                              f"{fmt(u['part3_mean'])}\t{fmt(u['total'])}")
        for u in result["units"]:
            self.stdout.write(f"{u['name']}：{u['explanation']}")

