#!/usr/bin/env python3
"""Prints a Markdown table of aggregates for a reference export and generated ones, side by side.

    cargo run --release -p bankseg-synth --example generate -- 10000 42 /tmp/seed42.csv
    python3 synth/scripts/compare.py bank_scrooge.csv /tmp/seed42.csv [more.csv ...]

The first file is labelled "reference", the others by their file names. Standard library only;
only aggregates are printed.
"""
import csv
import math
import os
import statistics as st
import sys
from collections import defaultdict


def load(path):
    return list(csv.DictReader(open(path, encoding="utf-8")))


def quantile(xs, p):
    xs = sorted(xs)
    k = p * (len(xs) - 1)
    i = int(k)
    return xs[-1] if i + 1 >= len(xs) else xs[i] + (k - i) * (xs[i + 1] - xs[i])
def metrics(rows):
    n=len(rows); m={}
    pct=lambda x: "%.1f%%"%(100*x)
    m['rows']=str(n)
    m['churn rate']=pct(sum(r['churn']=='1' for r in rows)/n)
    for c in ['Ярославль','Рыбинск','Ростов']: m['city share: '+c]=pct(sum(r['city']==c for r in rows)/n)
    m['men share']=pct(sum(r['gender']=='М' for r in rows)/n)
    for p in '012345': m['products = %s share'%p]=("%.2f%%" if p in '05' else "%.1f%%")%(100*sum(r['products']==p for r in rows)/n)
    for p in '12345':
        sub=[r for r in rows if r['products']==p]
        m['churn | products = %s'%p]=pct(sum(r['churn']=='1' for r in sub)/len(sub)) if sub else '-'
    for e in ['0','1','2','3','4','5']:
        sub=[r for r in rows if r['equity']==e]
        m['churn | equity = %s'%e]=pct(sum(r['churn']=='1' for r in sub)/len(sub))
    mb=[r for r in rows if r['balance']=='']
    m['missing balance']=pct(len(mb)/n)
    m['missing balance: non-churners among them']=pct(sum(r['churn']=='0' for r in mb)/len(mb))
    m['missing balance: equity 0 among them']=pct(sum(r['equity']=='0' for r in mb)/len(mb))
    m['missing balance: one product among them']=pct(sum(r['products']=='1' for r in mb)/len(mb))
    for e in '01':
        sub=[r for r in rows if r['equity']==e]
        m['P(missing balance | equity = %s)'%e]=pct(sum(r['balance']=='' for r in sub)/len(sub))
    m['P(missing balance | equity >= 2)']=pct(sum(r['balance']=='' for r in rows if int(r['equity'])>=2)/sum(int(r['equity'])>=2 for r in rows))
    m['missing ages']=str(sum(r['age']=='' for r in rows))
    ids=defaultdict(list)
    for r in rows: ids[r['USERID']].append(r['city'])
    d=[v for v in ids.values() if len(v)>1]
    m['ids on two rows (all Ярославль + Рыбинск)']="%d (%s)"%(len(d), "yes" if all(sorted(v)==['Рыбинск','Ярославль'] for v in d) else "no")
    m['products = 0 rows']=str(sum(r['products']=='0' for r in rows))
    for c,name in [('0','stayed'),('1','churned')]:
        sub=[r for r in rows if r['churn']==c]
        m['mean score | %s'%name]="%.1f"%st.mean(float(r['score']) for r in sub)
        m['mean age | %s'%name]="%.1f"%st.mean(float(r['age']) for r in sub if r['age'])
        m['mean equity | %s'%name]="%.2f"%st.mean(int(r['equity']) for r in sub)
        m['mean products | %s'%name]="%.2f"%st.mean(int(r['products']) for r in sub)
        m['median balance | %s'%name]="%.0f"%st.median(float(r['balance']) for r in sub if r['balance'])
        m['credit card | %s'%name]=pct(st.mean(int(r['credit_card']) for r in sub))
        m['last activity | %s'%name]=pct(st.mean(int(r['last_activity']) for r in sub))
    for a,b in [(18,25),(25,35),(35,50),(50,60),(60,100)]:
        sub=[r for r in rows if r['age'] and a<=float(r['age'])<b]
        m['churn | age %d–%d'%(a,b-1)]=pct(st.mean(int(r['churn']) for r in sub))
    for a,b in [(0,800),(800,850),(850,900),(900,1001)]:
        sub=[r for r in rows if a<=float(r['score'])<b]
        m['churn | score %d–%d'%(a,min(b-1,1000))]=pct(st.mean(int(r['churn']) for r in sub))
    m['churn | men']=pct(st.mean(int(r['churn']) for r in rows if r['gender']=='М'))
    m['churn | women']=pct(st.mean(int(r['churn']) for r in rows if r['gender']=='Ж'))
    bal=[float(r['balance']) for r in rows if r['balance']]
    sal=[float(r['EST_SALARY']) for r in rows]
    for name,xs in [('balance',bal),('EST_SALARY',sal)]:
        for p in [0.05,0.25,0.5,0.75,0.95,0.99]:
            m['%s p%d'%(name,round(p*100))]="%.0f"%quantile(xs,p)
        m['%s mean'%name]="%.0f"%st.mean(xs)
    m['balance median | equity 0 / 3 / 5']=" / ".join("%.0f"%st.median(float(r['balance']) for r in rows if r['balance'] and r['equity']==e) for e in '035')
    m['median salary | balance missing / present']="%.0f / %.0f"%(st.median(float(r['EST_SALARY']) for r in mb), st.median(float(r['EST_SALARY']) for r in rows if r['balance']))
    pairs=[(math.log(float(r['balance'])),math.log(float(r['EST_SALARY']))) for r in rows if r['balance'] and float(r['balance'])>0]
    m['corr(ln balance, ln salary)']="%.2f"%st.correlation(*zip(*pairs))
    return m


def main(paths):
    tables = [metrics(load(p)) for p in paths]
    names = ["reference"] + [os.path.basename(p) for p in paths[1:]]
    print("| aggregate | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for key in tables[0]:
        print("| %s | %s |" % (key.replace(" | ", " given "), " | ".join(t[key] for t in tables)))


if __name__ == "__main__":
    main(sys.argv[1:])
