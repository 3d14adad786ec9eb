/* demo.h -- the three planted issues of ywgen --scenario demo (texts, names,
 * places, growth).  Included by ywgen.c only, after gen/core.h. */
#ifndef YWGEN_DEMO_H
#define YWGEN_DEMO_H

/* ---- planted escalations (--scenario demo) --------------------------------- */

typedef struct {
    list_t core[3];          /* by stage: early, growing, escalating */
    list_t more, ask, title;
    list_t esc[3];           /* escalation sentences by stage (neutral voice) */
    list_t grid[3], police[3];
    list_t hc[3], hh[3];     /* headcounts by stage */
} plant_text_t;

/* A: 御景湾花园二期 -- 恒瑞置业 delays the handover. */
static const char *const pa_core0[] = {
    "{D}{E}二期合同约定{DUE}前交房，现在已经逾期{MON}，开发商{O}一直没有给出明确的交房时间。",
    "{E}二期工地从年前就基本停工了，塔吊不动，工人也没几个，{OS}售楼部只说在走验收流程。",
    "{I}是{E}二期{B}的业主，买房时{OS}承诺{DUE}交房，到现在连外墙都没做完。",
    "{E}二期的业主多次到售楼部询问交房时间，{OS}的销售经理每次都说\"快了快了\"。",
};
static const char *const pa_core1[] = {
    "{E}二期逾期交房已经{MON}，{OS}称资金紧张，复工时间待定，业主们一边还房贷一边租房。",
    "{E}二期业主去{D}住建局反映，工作人员说已经在协调{OS}，让业主回去等通知。",
    "{OS}拖着不给{E}二期交房，还拒绝按合同支付逾期违约金，业主们找了好几次都没人出面。",
    "{E}二期{HH}业主的房子都烂在那里，{OS}老板一直不露面，售楼部只剩两个保安。",
};
static const char *const pa_core2[] = {
    "{E}二期{HH}业主今天聚集在{RN}售楼部门口讨说法，{OS}至今没有任何负责人出面。",
    "{E}二期交房遥遥无期，业主群里几百人都在说准备一起去市政府。",
    "{E}二期业主在售楼部门口拉起了横幅，要求{OS}给出复工时间表。",
    "{OS}卷款跑路的消息在{E}二期业主中传开了，大家情绪都很激动。",
};
static const char *const pa_more[] = {
    "很多业主是掏空了六个钱包凑的首付。", "房贷每个月照扣，房子却遥遥无期。",
    "开发商的项目经理电话已经打不通了。", "听说{OS}在外面还欠了很多工程款。",
    "住建局和街道互相推，说这是企业和业主之间的合同纠纷。",
    "业主群里每天都有人在问到底什么时候能收房。",
};
static const char *const pa_ask[] = {
    "督促{OS}尽快复工并公布交房时间表", "由政府牵头成立专班解决{E}二期停工问题",
    "依法追究开发商的违约责任", "查清{E}二期预售资金的去向",
};
static const char *const pa_title[] = {
    "{E}二期逾期交房问题", "{OS}拖延交房何时能解决", "{E}二期停工烂尾，业主求助",
    "{E}二期业主要求复工交房",
};
static const char *const pa_esc0[] = { "有业主说再拖下去就联名向上反映。" };
static const char *const pa_esc1[] = {
    "业主们已经在准备联名信。", "业主群里有人提议联名到市里上访。",
    "有业主说要去售楼部拉横幅。",
};
static const char *const pa_esc2[] = {
    "业主们商量好了明天一起去市政府。", "有业主拉了横幅，还有人说要堵{R}。",
    "已经有两百多户业主在联名信上签了字。", "再不解决就集体去省里上访。",
};
static const char *const pa_grid0[] = {
    "接{C}居民反映，{E}二期工地已停工多日，业主担心不能按期交房。",
};
static const char *const pa_grid1[] = {
    "{E}二期售楼部门口有{HC}业主聚集，询问交房事宜，情绪较为激动。",
    "接{C}居民反映，{E}二期业主在业主群中串联，准备到市里上访。",
};
static const char *const pa_grid2[] = {
    "{E}二期业主在售楼部外墙挂出“还我房子”横幅，现场约{HC}业主。",
    "{E}二期{HC}业主聚集在{RN}售楼部，部分业主扬言要堵路，存在群体性事件风险。",
};
static const char *const pa_police0[] = {
    "在{E}售楼部与销售人员因交房时间问题发生争执。",
};
static const char *const pa_police1[] = {
    "在{RN}{E}售楼部，{HC}业主聚集要求开发商出面，现场情绪激动。",
    "{E}二期业主与售楼部保安发生推搡。",
};
static const char *const pa_police2[] = {
    "{E}二期业主在{R}路口拉横幅，部分人员站到机动车道上，造成交通拥堵。",
    "{E}售楼部被{HC}业主围堵，工作人员无法离开。",
    "在{RN}{E}售楼部，{HC}业主聚集要求开发商出面，现场情绪激动。",
};
static const char *const pa_hc0[] = { "五六名", "几名", "七八名" };
static const char *const pa_hc1[] = { "十几名", "二十多名", "三十多名" };
static const char *const pa_hc2[] = { "上百名", "一百多名", "几十名", "两百多名" };
static const char *const pa_hh0[] = { "几十户", "三十多户" };
static const char *const pa_hh1[] = { "上百户", "一百多户" };
static const char *const pa_hh2[] = { "几百户", "四百多户", "两百多户" };

/* B: 北辰壹号院项目工地 -- 宏建劳务 owes its workers. */
static const char *const pb_core0[] = {
    "{I}在{PROJ}做[木工|钢筋工|泥瓦工]，{O}从去年10月起就没发过工资，欠了{AMT}，包工头说甲方没拨款。",
    "{PROJ}的{HC}农民工被{O}拖欠工资，{OS}的老板一直说等工程款下来就发。",
    "{I}和几个老乡跟着{OS}在{PROJ}干了大半年，只发了生活费，工资一分没见着。",
};
static const char *const pb_core1[] = {
    "{O}拖欠{PROJ}六十多名农民工的工资，共计180多万元，包工头刘某的电话已经关机。",
    "{PROJ}的工人去{D}人社局反映了，劳动监察说已经立案，让等处理结果，可{OS}一直不露面。",
    "{OS}说总包没有结算，总包说钱早就拨给{OS}了，两边互相踢皮球，工人夹在中间没人管。",
    "{I}在{PROJ}干了{MON}，{OS}欠{I}{AMT}，工友们去公司要了好几次都被保安拦在门外。",
};
static const char *const pb_core2[] = {
    "{PROJ}的几十名工人今天堵在工地大门口，不让车辆进出，要求{OS}马上发工资。",
    "{PROJ}的工人们在工地门口拉起横幅讨薪，{OS}还是没人出面。",
    "{O}欠薪的几十名工人准备一起去市政府讨说法。",
    "有工人爬上了{PROJ}的塔吊，说{OS}不给工资就不下来。",
};
static const char *const pb_more[] = {
    "家里老人看病、孩子上学都等着这笔钱。", "好多工友过年都没回家，就守在工地等工资。",
    "当时没签劳动合同，只有包工头记的考勤本。", "{MY}工资卡号{BANK}，一分钱都没进过账。",
    "包工头刘某的电话{PH}已经打不通了。", "工友们每天在工地门口等，一等就是一整天。",
};
static const char *const pb_ask[] = {
    "责令{OS}立即支付拖欠的农民工工资", "依法追究{OS}恶意欠薪的责任",
    "由政府出面协调总包先行垫付工资",
};
static const char *const pb_title[] = {
    "{OS}拖欠农民工工资", "{PROJ}农民工讨薪无门", "{O}欠薪问题", "求助：{PROJ}工资被拖欠",
};
static const char *const pb_esc0[] = { "工友们说再不给钱就去劳动监察大队。" };
static const char *const pb_esc1[] = {
    "工友们商量着联名去劳动监察大队。", "再不给钱大家只能一起去上访。",
};
static const char *const pb_esc2[] = {
    "大家准备明天一起去市政府。", "有人说要去{R}上堵路。",
    "已经有六十多个人在联名信上按了手印。", "工人们拉着横幅说不给钱就不走。",
};
static const char *const pb_grid0[] = {
    "接工友反映，{OS}拖欠{PROJ}部分工人工资，工人情绪尚稳定。",
};
static const char *const pb_grid1[] = {
    "{PROJ}门口有{HC}工人聚集讨要工资，情绪激动。",
    "接工友反映，{OS}拖欠{PROJ}工人工资，已有工人扬言去市里上访。",
};
static const char *const pb_grid2[] = {
    "{PROJ}门口{HC}工人拉横幅讨薪，堵住了工地大门，存在群体性事件风险。",
    "{PROJ}讨薪工人准备集体到市政府上访，已上报{S}做好稳控。",
};
static const char *const pb_police0[] = {
    "{OS}负责人拖欠其工资{AMT}，现在工地与对方发生争执。",
};
static const char *const pb_police1[] = {
    "在{RN}{PROJ}门口，{HC}工人聚集讨薪。",
    "{OS}负责人拖欠其工资{AMT}，现在工地与对方发生争执。",
};
static const char *const pb_police2[] = {
    "在{RN}{PROJ}门口，{HC}工人聚集讨薪，堵住工地大门。",
    "{PROJ}有工人爬上塔吊讨薪，请求处置。", "讨薪工人在{R}上拉横幅，影响交通。",
};
static const char *const pb_hc0[] = { "十几名", "七八名", "好几个" };
static const char *const pb_hc1[] = { "二十多名", "三十多名", "四十多名" };
static const char *const pb_hc2[] = { "六十多名", "几十名", "七十多名" };
static const char *const pb_hh0[] = { "十几名工友" };
static const char *const pb_hh1[] = { "三四十名工友" };
static const char *const pb_hh2[] = { "六十多名工友" };

/* C: 鑫融汇 -- a wealth-management firm that stops paying out. */
static const char *const pc_core0[] = {
    "{I}在{O}买了“鑫融宝”理财产品{AMT}，合同写的年化12%，到期后一直提不出来，客服说系统升级。",
    "{OS}的“鑫融宝”从{SINCE}开始就无法提现，业务员说是暂时的，让大家不要恐慌。",
    "{I}家老人在{OS}投了{AMT}养老钱，现在到期了拿不回来，业务员也联系不上。",
};
static const char *const pc_core1[] = {
    "{RN}的{OS}办公室已经关门，门上贴着“内部装修”，投资人都联系不上公司负责人。",
    "{OS}的投资人维权群已经有两百多人，投资金额从几万到几十万不等，很多是老人的养老钱。",
    "去派出所报案，说要等经侦统一处理；去金融监管局，说不归他们管，投资人被踢来踢去。",
    "{I}在{OS}投了{AMT}，{SINCE}以后就再没收到过利息，现在连本金都拿不回来。",
};
static const char *const pc_core2[] = {
    "今天{HC}{OS}投资人聚集在{RN}楼下，要求公司退钱。",
    "{OS}的投资人准备联名去市政府和公安局，要求立案追赃。",
    "{OS}爆雷，涉及的投资人据说上千人，金额有好几个亿。",
    "{O}的老板已经联系不上，投资人在公司楼下拉起了横幅。",
};
static const char *const pc_more[] = {
    "业务员当初天天上门，说保本保息，绝对安全。", "那是{I}家老人一辈子的积蓄。",
    "{MY}身份证号{ID}，合同和转账记录都在。", "公司门口的“鑫融宝”广告牌一夜之间就拆了。",
    "转账是打到公司员工个人卡{BANK}上的。",
};
static const char *const pc_ask[] = {
    "立即对{OS}立案侦查", "冻结{OS}及其负责人的资产", "帮助投资人追回本金",
};
static const char *const pc_title[] = {
    "{OS}鑫融宝无法兑付", "举报{O}非法集资", "{OS}投资人求助", "鑫融宝到期不能提现",
};
static const char *const pc_esc0[] = { "群里有人说要一起去报案。" };
static const char *const pc_esc1[] = { "投资人在群里商量联名报案。", "大家说再不退钱就去上访。" };
static const char *const pc_esc2[] = {
    "大家约好明天去市政府上访。", "有人说要在{RN}门口拉横幅。",
    "几百名投资人已经在联名信上签字。",
};
static const char *const pc_grid0[] = {
    "接居民反映，辖区有老人在{OS}购买理财产品到期无法兑付。",
};
static const char *const pc_grid1[] = {
    "{RN}{OS}办公场所门口有{HC}投资人聚集，要求退还本金。",
    "接居民反映，辖区多名老人在{OS}购买理财产品无法兑付，存在群体性上访风险。",
};
static const char *const pc_grid2[] = {
    "{RN}楼下聚集{HC}{OS}投资人，拉有横幅，情绪激动，已上报{S}。",
};
static const char *const pc_police0[] = { "在{OS}投资{AMT}无法兑付，怀疑被诈骗。" };
static const char *const pc_police1[] = {
    "在{RN}，{HC}投资人聚集在{OS}门口要求退钱。", "在{OS}投资{AMT}无法兑付，怀疑被诈骗。",
};
static const char *const pc_police2[] = {
    "在{RN}，{HC}投资人聚集在{OS}门口要求退钱。",
    "{OS}投资人在{R}拉横幅，部分人员情绪激动。",
};
static const char *const pc_hc0[] = { "十几名", "二十多名" };
static const char *const pc_hc1[] = { "三十多名", "四五十名" };
static const char *const pc_hc2[] = { "上百名", "一百多名", "两百多名" };
static const char *const pc_hh0[] = { "几十名投资人" };
static const char *const pc_hh1[] = { "上百名投资人" };
static const char *const pc_hh2[] = { "几百名投资人" };

#define PLANT_TEXT(p)                                                            \
    { { LIST(p##_core0), LIST(p##_core1), LIST(p##_core2) }, LIST(p##_more),       \
      LIST(p##_ask), LIST(p##_title),                                               \
      { LIST(p##_esc0), LIST(p##_esc1), LIST(p##_esc2) },                           \
      { LIST(p##_grid0), LIST(p##_grid1), LIST(p##_grid2) },                        \
      { LIST(p##_police0), LIST(p##_police1), LIST(p##_police2) },                  \
      { LIST(p##_hc0), LIST(p##_hc1), LIST(p##_hc2) },                              \
      { LIST(p##_hh0), LIST(p##_hh1), LIST(p##_hh2) } }

static const plant_text_t plant_texts[3] = {
    PLANT_TEXT(pa), PLANT_TEXT(pb), PLANT_TEXT(pc),
};

#endif
