/* escalate.h -- texts and names for ywscenario's planted escalations and its
 * seasonal background (bench/ywscenario.c).
 *
 * Written for this project in the register of 12345 work orders, grid
 * reports, posts and 110 records; all names are invented.  The template
 * language is gen/core.h's ({SLOT}, [a|b]).  Each escalation gets its own
 * estate / company / project names (built from the name parts below and
 * checked against the city), so {E}, {O}, {OS} and {PROJ} identify it.
 *
 * Stages: 0 early complaints, 1 growing (more people, anger, deflections),
 * 2 escalating (联名, 上访, 拉横幅, 堵路 ...), 3 the petition day itself
 * (聚集 / 拉横幅 / 堵门 happening now, reported by police and grid).
 *
 * Included by ywscenario.c only, after gen/core.h. */
#ifndef YWGEN_ESCALATE_H
#define YWGEN_ESCALATE_H

/* ---- unique names ----------------------------------------------------------- */

/* Estate prefixes that the city (vocab.h estate_prefixes) never uses. */
static const char *const esc_estate_pre[] = {
    "澄湖", "栖霞", "鹭岛", "岚山", "朗庭", "观澜", "沁园", "璟园", "熙岸",
    "宸悦", "云锦", "玺园", "檀香", "海棠", "雍景", "望江", "栖凤", "蓝湾",
    "锦麟", "御溪", "汀兰", "晴川", "泊岸", "映山", "华樾", "枫丹", "瑞景",
    "知音", "春江", "杏坛",
};
static const char *const esc_estate_suf[] = {
    "华府", "雅居", "嘉园", "天境", "壹号", "湾", "尚城", "悦府", "云庭", "里",
};
/* Company stems the city's companies (vocab.h company_stems) never use. */
static const char *const esc_company_stem[] = {
    "鼎晟", "宏泰", "瑞丰", "德润", "嘉禾", "博远", "汇鑫", "宝隆", "金鼎", "聚恒",
    "富川", "诚信达", "万利", "昌盛", "天瑞", "永泰", "兴隆", "佳盈", "中汇", "润达",
    "祥和", "丰源", "荣昌", "利丰", "恒通",
};
static const char *const esc_village_stem[] = {
    "谢家湾", "柳塘", "黄泥坳", "廖家坪", "上湾", "石龙", "彭家冲", "杉木塘",
    "油菜坡", "白泥塘", "枣子湾", "大桥头",
};

/* ---- seasonal background domains (not planted: routine clusters) ----------- */

/* Winter: gas and frozen pipes (the city has no central heating). */
static const char *const sw_dept[] = { "燃气公司", "供水公司", "{D}住建局" };
static const char *const sw_core[] = {
    "{D}{E}从{SINCE}起天然气气压很低，做饭打不着火，热水器也用不了，天气这么冷没法洗澡。",
    "{E}{B}的水管被冻裂了，整栋楼停水，物业{OS}说要等天气回暖才能修。",
    "这几天降温，{E}一到晚上就跳闸，物业说是用电负荷太大，老人家里取暖器都开不了。",
    "{E}的燃气表显示有气但灶台点不着，打燃气公司电话一直占线。",
};
static const char *const sw_title[] = {
    "{E}燃气气压不足", "{E}水管冻裂停水", "{E}冬季频繁跳闸", "{E}燃气无法使用",
};
static const char *const sw_ask[] = {
    "尽快恢复正常供气", "安排人员抢修冻裂的水管", "给小区电路增容", "派人上门检查燃气管道",
};
static const char *const sw_more[] = {
    "家里有老人和小孩，这么冷的天受不了。", "已经打了好几次电话，都说在排队。",
    "整栋楼好几十户都是这个情况。", "去年冬天也出现过一样的问题。",
};
static const char *const sw_police[] = {
    "{E}住户与物业因停水停气问题发生口角。", "{E}有燃气泄漏的味道，请求处置。",
};

/* Summer: waterlogging after rainstorms. */
static const char *const ss_dept[] = { "{D}城管局", "{D}水务局", "{S}" };
static const char *const ss_core[] = {
    "昨晚暴雨，{R}{E}门口积水到膝盖，车子都泡了，排水口被垃圾堵住了。",
    "{E}的地下车库进水，十几辆车被淹，物业{OS}事先没有任何预警和防护。",
    "每次下大雨{RN}附近就成了一片汪洋，行人只能蹚水走，已经说了好几年了。",
    "暴雨后{E}{B}一楼住户家里进水，家具泡坏了，物业说是市政管网的问题。",
};
static const char *const ss_title[] = {
    "{R}暴雨积水严重", "{E}地下车库被淹", "{RN}逢雨必涝", "{E}一楼住户进水",
};
static const char *const ss_ask[] = {
    "尽快疏通排水管网", "物业赔偿车主损失", "对这一段道路进行排水改造", "查清责任并赔偿损失",
};
static const char *const ss_more[] = {
    "天气预报说这几天还有大雨。", "附近的下水道井盖都被冲开了，很危险。",
    "积水里还泡着电线杆，怕出事。", "小区里好多老人出不了门。",
};
static const char *const ss_police[] = {
    "{R}积水严重，有车辆被困水中，请求救援。", "{E}地下车库进水，有车辆被淹。",
};

/* Background domains for the two seasons; weights are per source (hotline,
 * grid, online, police) as in vocab.h's domains. */
static const domain_t season_domains[2] = {
    DOMAIN("冬季供气供水", "城乡建设/供水供气", "公共设施", "求助/其他求助", CK_PROPERTY, 100, 2000, 12, 6, 6, 2, sw),
    DOMAIN("暴雨内涝", "城市管理/排水防涝", "道路设施", "求助/其他求助", CK_PROPERTY, 1000, 50000, 10, 8, 8, 4, ss),
};

/* ---- group escalations ------------------------------------------------------ */

typedef struct {
    const char *name;        /* kind of issue, for the truth file */
    int domain;              /* background domain: category, event_type, dept */
    int name_kind;           /* what the unique {PROJ} is: 0 phase of the estate, 1 site, 2 product, 3 village area, 4 plant */
    list_t core[4];          /* by stage; [3] the petition day */
    list_t more, ask, title;
    list_t esc[3];           /* escalation sentences by stage */
    list_t grid[4], police[4];
    list_t hc[4];            /* headcounts by stage */
} esc_kind_t;

/* K0: a developer does not hand over the flats. */
static const char *const k0_core0[] = {
    "{E}{PROJ}合同约定{DUE}交房，现在已经逾期{MON}，开发商{O}一直没有说什么时候能交。",
    "{I}是{E}{PROJ}{B}的业主，{OS}的工地最近基本停工了，塔吊好久没动过。",
    "{E}{PROJ}的工地上只剩几个工人，{OS}售楼部说在办验收，业主们心里没底。",
};
static const char *const k0_core1[] = {
    "{E}{PROJ}逾期交房{MON}，{OS}说资金周转困难，复工时间待定，业主一边还贷一边租房。",
    "{E}{PROJ}的业主去{D}住建局反映了好几次，每次都说在协调{OS}，让回去等通知。",
    "{OS}不肯按合同赔付{E}{PROJ}的逾期违约金，业主们去售楼部找人，负责人一个都不见。",
};
static const char *const k0_core2[] = {
    "{E}{PROJ}的业主群里几百人在商量一起去市政府，{OS}还是没有任何说法。",
    "{E}{PROJ}的业主在售楼部门口拉了横幅，要求{OS}给出复工时间表。",
    "{OS}老板跑路的传言在{E}{PROJ}业主中传开了，大家情绪非常激动。",
};
static const char *const k0_core3[] = {
    "{E}{PROJ}{HC}业主今天聚集在{RN}售楼部门口，拉横幅要求{OS}交房。",
    "今天{E}{PROJ}的业主堵住了{OS}售楼部的大门，要求政府出面解决。",
};
static const char *const k0_more[] = {
    "很多业主是掏空了全家积蓄凑的首付。", "房贷每月照扣，房子却遥遥无期。",
    "{OS}项目经理的电话已经打不通了。", "住建局和街道互相推，说是企业和业主之间的合同纠纷。",
    "业主群里天天有人问到底什么时候能收房。",
};
static const char *const k0_ask[] = {
    "督促{OS}尽快复工并公布交房时间", "由政府牵头成立专班处理{E}{PROJ}停工问题",
    "查清{E}{PROJ}预售资金的去向",
};
static const char *const k0_title[] = {
    "{E}{PROJ}逾期交房", "{OS}拖延交房", "{E}{PROJ}停工，业主求助",
};
static const char *const k0_esc0[] = { "有业主说再拖下去就联名向上反映。" };
static const char *const k0_esc1[] = { "业主们在准备联名信。", "有业主提议联名到市里上访。" };
static const char *const k0_esc2[] = {
    "业主们约好这几天一起去市政府上访。", "有人说要去{R}上拉横幅堵路。",
    "已经有两百多户业主在联名信上签了字。", "再不解决就集体去省里上访。",
};
static const char *const k0_grid0[] = { "接{C}居民反映，{E}{PROJ}工地停工多日，业主担心不能按期交房。" };
static const char *const k0_grid1[] = {
    "{E}售楼部门口有{HC}业主询问交房事宜，情绪较为激动。",
    "接{C}居民反映，{E}{PROJ}业主在群里串联，准备到市里上访。",
};
static const char *const k0_grid2[] = {
    "{E}{PROJ}业主在群里约定集体上访，存在群体性事件风险，已上报{S}。",
    "{E}售楼部外有{HC}业主聚集，部分人扬言要堵路。",
};
static const char *const k0_grid3[] = {
    "{E}{PROJ}{HC}业主在{RN}售楼部外拉横幅聚集，现场秩序混乱，已上报{S}和{D}信访局。",
};
static const char *const k0_police0[] = { "在{E}售楼部与销售人员因交房时间问题发生争执。" };
static const char *const k0_police1[] = { "在{RN}{E}售楼部，{HC}业主要求开发商出面，现场情绪激动。" };
static const char *const k0_police2[] = { "{E}业主与售楼部保安发生推搡。", "在{RN}{E}售楼部，{HC}业主要求开发商出面，现场情绪激动。" };
static const char *const k0_police3[] = {
    "{E}{PROJ}{HC}业主在{R}路口拉横幅，部分人员站到机动车道上，造成交通拥堵。",
    "{E}售楼部被{HC}业主围堵，工作人员无法离开。",
};
static const char *const k0_hc0[] = { "五六名", "几名" };
static const char *const k0_hc1[] = { "十几名", "二十多名" };
static const char *const k0_hc2[] = { "三十多名", "四十多名" };
static const char *const k0_hc3[] = { "上百名", "一百多名", "两百多名" };

/* K1: a labour contractor owes its workers. */
static const char *const k1_core0[] = {
    "{I}在{PROJ}做[木工|钢筋工|泥瓦工]，{O}从{SINCE}起就没发过工资，欠了{AMT}。",
    "{PROJ}的一些工人被{OS}拖欠工资，老板说等工程款下来就发。",
    "{I}跟着{OS}在{PROJ}干了{MON}，只发过生活费，工资一分没见着。",
};
static const char *const k1_core1[] = {
    "{O}拖欠{PROJ}几十名工人的工资，包工头的电话已经关机。",
    "{PROJ}的工人去{D}人社局反映了，劳动监察说已立案，可{OS}一直不露面。",
    "{OS}说总包没结算，总包说钱早拨给{OS}了，两边互相踢皮球，工人没人管。",
};
static const char *const k1_core2[] = {
    "{PROJ}的工人商量着一起去市政府讨说法，{OS}还是没人出面。",
    "{PROJ}的工人在工地门口拉横幅讨薪，说不给钱就不走。",
    "{O}欠薪的工人们准备联名去劳动监察大队和市信访局。",
};
static const char *const k1_core3[] = {
    "{PROJ}{HC}工人今天堵在工地大门口，不让车辆进出，要求{OS}马上发工资。",
    "今天{HC}{PROJ}工人到{D}政府门口拉横幅讨薪。",
};
static const char *const k1_more[] = {
    "家里老人看病、孩子上学都等着这笔钱。", "当时没签劳动合同，只有包工头记的考勤本。",
    "{MY}工资卡号{BANK}，一分钱都没进过账。", "工友们每天在工地门口等，一等就是一整天。",
};
static const char *const k1_ask[] = {
    "责令{OS}立即支付拖欠的工资", "依法追究{OS}恶意欠薪的责任", "由政府协调总包先行垫付工资",
};
static const char *const k1_title[] = { "{OS}拖欠工资", "{PROJ}工人讨薪无门", "{O}欠薪问题" };
static const char *const k1_esc0[] = { "工友们说再不给钱就去劳动监察大队。" };
static const char *const k1_esc1[] = { "工友们商量着联名去劳动监察大队。", "再不给钱大家只能一起去上访。" };
static const char *const k1_esc2[] = {
    "大家准备一起去市政府。", "有人说要去{R}上堵路。",
    "已经有几十个人在联名信上按了手印。", "工人们说要拉横幅讨薪。",
};
static const char *const k1_grid0[] = { "接工友反映，{OS}拖欠{PROJ}部分工人工资，工人情绪尚稳定。" };
static const char *const k1_grid1[] = { "{PROJ}门口有{HC}工人讨要工资，情绪激动。" };
static const char *const k1_grid2[] = { "接工友反映，{PROJ}工人扬言集体去市里上访，已上报{S}做好稳控。" };
static const char *const k1_grid3[] = { "{PROJ}门口{HC}工人拉横幅讨薪，堵住了工地大门，存在群体性事件风险。" };
static const char *const k1_police0[] = { "{OS}负责人拖欠其工资{AMT}，现在工地与对方发生争执。" };
static const char *const k1_police1[] = { "在{RN}{PROJ}门口，{HC}工人讨要工资。" };
static const char *const k1_police2[] = { "在{RN}{PROJ}门口，{HC}工人讨薪，与保安发生推搡。" };
static const char *const k1_police3[] = {
    "在{RN}{PROJ}门口，{HC}工人聚集讨薪，堵住工地大门。", "讨薪工人在{R}上拉横幅，影响交通。",
};
static const char *const k1_hc0[] = { "七八名", "几名" };
static const char *const k1_hc1[] = { "十几名", "二十多名" };
static const char *const k1_hc2[] = { "三十多名", "四十多名" };
static const char *const k1_hc3[] = { "六十多名", "几十名", "七十多名" };

/* K2: a wealth-management firm stops paying out. */
static const char *const k2_core0[] = {
    "{I}在{O}买了“{PROJ}”理财产品{AMT}，说好年化10%，到期后一直提不出来，客服说系统升级。",
    "{OS}的“{PROJ}”从{SINCE}起就不能提现，业务员让大家不要恐慌。",
    "{I}家老人在{OS}投了{AMT}养老钱，到期了拿不回来，业务员也联系不上。",
};
static const char *const k2_core1[] = {
    "{RN}的{OS}办公室已经关门，门上贴着“内部装修”，投资人都联系不上负责人。",
    "{OS}的投资人维权群已经有两百多人，很多是老人的养老钱。",
    "去派出所报案说要等经侦统一处理，去金融监管局说不归他们管，投资人被踢来踢去。",
};
static const char *const k2_core2[] = {
    "{OS}的投资人准备联名去市政府和公安局，要求立案追赃。",
    "{OS}“{PROJ}”爆雷，投资人据说上千人，大家约好一起去上访。",
    "{O}的老板联系不上了，投资人说要去公司楼下拉横幅。",
};
static const char *const k2_core3[] = {
    "今天{HC}{OS}投资人聚集在{RN}楼下，拉横幅要求退钱。",
    "今天{OS}的投资人到市政府门口聚集，要求立案追赃。",
};
static const char *const k2_more[] = {
    "业务员当初天天上门，说保本保息，绝对安全。", "那是{I}家老人一辈子的积蓄。",
    "{MY}身份证号{ID}，合同和转账记录都在。", "转账是打到公司员工个人卡{BANK}上的。",
};
static const char *const k2_ask[] = { "立即对{OS}立案侦查", "冻结{OS}及负责人的资产", "帮助投资人追回本金" };
static const char *const k2_title[] = { "{OS}“{PROJ}”无法兑付", "举报{O}非法集资", "{OS}投资人求助" };
static const char *const k2_esc0[] = { "群里有人说要一起去报案。" };
static const char *const k2_esc1[] = { "投资人在群里商量联名报案。", "大家说再不退钱就去上访。" };
static const char *const k2_esc2[] = { "大家约好去市政府上访。", "有人说要在{RN}门口拉横幅。", "几百名投资人已经在联名信上签字。" };
static const char *const k2_grid0[] = { "接居民反映，辖区有老人在{OS}购买的理财产品到期无法兑付。" };
static const char *const k2_grid1[] = { "接居民反映，辖区多名老人在{OS}投资无法兑付，存在群体性上访风险。" };
static const char *const k2_grid2[] = { "{RN}{OS}办公场所门口有{HC}投资人要求退还本金，情绪激动。" };
static const char *const k2_grid3[] = { "{RN}楼下聚集{HC}{OS}投资人，拉有横幅，情绪激动，已上报{S}。" };
static const char *const k2_police0[] = { "在{OS}投资{AMT}无法兑付，怀疑被诈骗。" };
static const char *const k2_police1[] = { "在{OS}投资{AMT}无法兑付，怀疑被诈骗。", "在{RN}，几名投资人在{OS}门口要求退钱。" };
static const char *const k2_police2[] = { "在{RN}，{HC}投资人在{OS}门口要求退钱。" };
static const char *const k2_police3[] = { "在{RN}，{HC}投资人聚集在{OS}门口要求退钱。", "{OS}投资人在{R}拉横幅，部分人员情绪激动。" };
static const char *const k2_hc0[] = { "十几名", "几名" };
static const char *const k2_hc1[] = { "二十多名", "三十多名" };
static const char *const k2_hc2[] = { "四五十名", "五十多名" };
static const char *const k2_hc3[] = { "上百名", "一百多名", "两百多名" };

/* K3: land taking / demolition of a village area. */
static const char *const k3_core0[] = {
    "{E}列入{PROJ}范围，{O}给的补偿标准每平米只有{AMT}，比周边低了一大截，村民不同意。",
    "{I}家在{E}的房子被划进{PROJ}，{OS}没公示补偿方案就让签协议。",
    "{PROJ}的征收公告贴出来了，{E}的村民说安置房位置和面积都没说清楚。",
};
static const char *const k3_core1[] = {
    "{OS}的人晚上到{E}挨家挨户做工作，说不签就断水断电，村民很害怕。",
    "{E}有几户没签协议的，家门口被倒了建筑垃圾，路也被挖断了。",
    "去{S}问{PROJ}的补偿标准，说是{OS}定的；找{OS}，说是按政府文件执行，来回推。",
};
static const char *const k3_core2[] = {
    "{E}的村民准备联名去{D}政府上访，要求重新评估补偿。",
    "{OS}要强拆{E}，村民说谁来拆就堵路。",
    "{E}的村民在村口拉了横幅，写着“还我家园”。",
};
static const char *const k3_core3[] = {
    "今天{E}{HC}村民聚集在{D}政府门口，要求停止强拆、重新补偿。",
    "{E}村民今天堵住了{R}，阻止{OS}的挖机进场。",
};
static const char *const k3_more[] = {
    "这房子是祖上传下来的，老人死活不肯搬。", "补偿款连在城里买个厕所都不够。",
    "评估公司是{OS}自己找的，村民没有参与。", "村里的账目从来没有公开过。",
};
static const char *const k3_ask[] = { "公开{PROJ}的补偿标准和依据", "停止违法强拆", "重新评估{E}的补偿" };
static const char *const k3_title[] = { "{PROJ}补偿标准过低", "{E}强拆问题", "{OS}违规征收" };
static const char *const k3_esc0[] = { "村民说不行就去上面反映。" };
static const char *const k3_esc1[] = { "村民们在写联名信。", "有人说要去市里上访。" };
static const char *const k3_esc2[] = { "村民约好一起去{D}政府。", "有人说要把{R}堵了。", "上百户村民在联名信上签了字。" };
static const char *const k3_grid0[] = { "{E}部分村民对{PROJ}补偿标准有意见，已做解释工作。" };
static const char *const k3_grid1[] = { "{E}村民与{OS}工作人员发生口角，{HC}村民围观。" };
static const char *const k3_grid2[] = { "{E}村民串联准备集体上访，存在群体性事件风险，已上报{S}。" };
static const char *const k3_grid3[] = { "{E}{HC}村民拉横幅阻止{OS}施工，现场情绪激动，已上报{S}和{D}信访局。" };
static const char *const k3_police0[] = { "{OS}工作人员在{E}量房时与村民发生争执。" };
static const char *const k3_police1[] = { "在{E}，村民与{OS}拆迁人员发生推搡。" };
static const char *const k3_police2[] = { "在{E}，{HC}村民阻止{OS}的挖机进场。" };
static const char *const k3_police3[] = { "{E}{HC}村民在{R}上聚集，拉横幅，造成交通中断。", "{E}村民围堵{OS}的施工车辆。" };
static const char *const k3_hc0[] = { "几名", "五六名" };
static const char *const k3_hc1[] = { "十几名", "二十多名" };
static const char *const k3_hc2[] = { "三十多名", "几十名" };
static const char *const k3_hc3[] = { "上百名", "一百多名", "几十名" };

/* K4: a plant next to homes (垃圾焚烧, 化工, 搅拌站). */
static const char *const k4_core0[] = {
    "听说要在{E}旁边建{PROJ}，离小区不到一公里，居民都很担心。",
    "{E}附近的{PROJ}最近开始动工了，事先没有听证，也没有公示环评。",
    "{PROJ}晚上总有刺鼻的气味飘到{E}，{I}家孩子一直咳嗽。",
};
static const char *const k4_core1[] = {
    "{E}的居民去{D}生态环境分局要求公开{PROJ}的环评报告，一直没有回复。",
    "{OS}说{PROJ}手续齐全，但拿不出环评批复，居民问了几次都被推给别的部门。",
    "{E}的业主群里都在说{PROJ}的事，好几百户人家很着急。",
};
static const char *const k4_core2[] = {
    "{E}的居民准备联名反对{PROJ}，要去市政府讨说法。",
    "{E}业主在小区门口拉了横幅，反对建{PROJ}。",
    "居民说{PROJ}不停工就去堵{R}。",
};
static const char *const k4_core3[] = {
    "今天{E}{HC}居民到{PROJ}门口聚集，拉横幅要求停建。",
    "今天{E}{HC}居民在{D}政府门口聚集，反对建设{PROJ}。",
};
static const char *const k4_more[] = {
    "小区里住着很多老人和孩子。", "{PROJ}离学校也不远。", "开工前没有任何人征求过居民意见。",
    "晚上关着窗户都能闻到味道。",
};
static const char *const k4_ask[] = { "公开{PROJ}的环评报告", "立即停建{PROJ}", "举行听证会听取居民意见" };
static const char *const k4_title[] = { "反对在{E}旁建{PROJ}", "{PROJ}环评不公开", "{PROJ}异味扰民" };
static const char *const k4_esc0[] = { "居民说要联名向上反映。" };
static const char *const k4_esc1[] = { "居民们在写联名信。", "业主群里有人说要去市里上访。" };
static const char *const k4_esc2[] = { "居民们约好去市政府上访。", "有人说要去{R}上拉横幅。", "已经有上千人在联名信上签字。" };
static const char *const k4_grid0[] = { "接{C}居民反映，对{E}附近建设{PROJ}有顾虑，已做解释。" };
static const char *const k4_grid1[] = { "{E}部分居民在业主群中讨论反对{PROJ}，情绪较大。" };
static const char *const k4_grid2[] = { "{E}居民串联准备集体反对{PROJ}，存在群体性事件风险，已上报{S}。" };
static const char *const k4_grid3[] = { "{E}{HC}居民在{PROJ}门口拉横幅聚集，要求停建，已上报{S}。" };
static const char *const k4_police0[] = { "{PROJ}夜间施工噪音大，有异味。" };
static const char *const k4_police1[] = { "在{PROJ}门口，几名居民与施工人员发生争执。" };
static const char *const k4_police2[] = { "在{PROJ}门口，{HC}居民阻止施工车辆进出。" };
static const char *const k4_police3[] = { "{E}{HC}居民在{PROJ}门口聚集，堵住大门。", "{E}居民在{R}拉横幅，影响交通。" };
static const char *const k4_hc0[] = { "几名", "五六名" };
static const char *const k4_hc1[] = { "十几名", "二十多名" };
static const char *const k4_hc2[] = { "三十多名", "几十名" };
static const char *const k4_hc3[] = { "上百名", "两百多名", "几百名" };

#define ESC_KIND(nm, dom, nk, p)                                                          \
    { nm, dom, nk,                                                                        \
      { LIST(p##_core0), LIST(p##_core1), LIST(p##_core2), LIST(p##_core3) },             \
      LIST(p##_more), LIST(p##_ask), LIST(p##_title),                                     \
      { LIST(p##_esc0), LIST(p##_esc1), LIST(p##_esc2) },                                 \
      { LIST(p##_grid0), LIST(p##_grid1), LIST(p##_grid2), LIST(p##_grid3) },             \
      { LIST(p##_police0), LIST(p##_police1), LIST(p##_police2), LIST(p##_police3) },     \
      { LIST(p##_hc0), LIST(p##_hc1), LIST(p##_hc2), LIST(p##_hc3) } }

static const esc_kind_t esc_kinds[] = {
    ESC_KIND("延期交房", 5, 0, k0),
    ESC_KIND("欠薪", 3, 1, k1),
    ESC_KIND("集资理财", 6, 2, k2),
    ESC_KIND("拆迁征地", 4, 3, k3),
    ESC_KIND("环保邻避", 7, 4, k4),
};
#define NESC_KINDS NEL(esc_kinds)

/* {PROJ} by name_kind: appended to a unique stem. */
static const char *const proj_phase[] = { "二期", "三期", "东区", "B区" };
static const char *const proj_site[] = { "项目工地", "安置房项目工地", "二期工地" };
static const char *const proj_product[] = { "宝", "盈", "鑫", "利", "汇" };
static const char *const proj_area[] = { "片区棚改项目", "片区征收项目", "产业园征地项目" };
static const char *const proj_plant[] = { "垃圾焚烧发电厂", "沥青搅拌站", "化工仓储项目", "危废处理中心" };

/* ---- one angry person ------------------------------------------------------- */

typedef struct {
    const char *name;
    int domain;
    list_t core[3], more, ask, title;
    list_t threat[3];        /* by stage: 0 none yet, 1 going higher, 2 Beijing / self-harm */
    list_t police[4];        /* [3] the day it happens */
    list_t grid3;            /* grid on the day it happens */
} person_kind_t;

/* P0: a work injury nobody will compensate. */
static const char *const q0_core0[] = {
    "{I}在{O}上班时右手被机器压伤，公司一直不给申请工伤认定，医药费都是自己垫的。",
    "{I}在{OS}干活受伤已经{MON}了，公司说是{I}自己操作不当，不给赔偿。",
};
static const char *const q0_core1[] = {
    "{I}为工伤的事已经打了好多次电话，人社局说找公司，公司说找人社局，没人管。",
    "{OS}到现在还不给{I}办工伤认定，{I}手残了干不了活，一家人没有收入。",
};
static const char *const q0_core2[] = {
    "{I}的工伤问题反映了无数次，每次都是踢皮球，{I}已经没有任何办法了。",
    "{OS}欠{I}的工伤赔偿{AMT}，{I}跑了{D}所有部门，谁都说不归自己管。",
};
static const char *const q0_more[] = {
    "{I}家里还有两个孩子在上学。", "医院的病历和发票{I}都留着。", "{I}现在右手三根手指动不了。",
};
static const char *const q0_ask[] = { "督促{OS}依法办理工伤认定并赔偿", "给{I}一个明确的答复" };
static const char *const q0_title[] = { "{OS}工伤不赔", "工伤认定无人受理", "{O}工伤赔偿问题" };

/* P1: one household's demolition compensation. */
static const char *const q1_core0[] = {
    "{I}家在{E}的房子被{O}拆了，说好的补偿款{AMT}到现在一分没到。",
    "{I}家老房子拆了{MON}，{OS}答应的过渡费一直没给，{I}一家在外面租房。",
};
static const char *const q1_core1[] = {
    "{I}为补偿款的事找了{S}好几次，街道说找{OS}，{OS}说等政府拨款，来回推。",
    "{I}家的补偿款被{OS}无故扣了一半，问原因谁也说不清。",
};
static const char *const q1_core2[] = {
    "{I}的补偿问题拖了这么久，{I}已经打了几十次电话，没有一个部门肯管。",
    "{OS}欠{I}家补偿款{AMT}，{I}找遍了所有部门，都是踢皮球。",
};
static const char *const q1_more[] = {
    "{I}家里老人八十多岁了，跟着{I}到处租房。", "当时签的协议写得清清楚楚。", "邻居家的补偿早就到了。",
};
static const char *const q1_ask[] = { "督促{OS}支付拖欠的补偿款", "查清{I}家补偿款被扣的原因" };
static const char *const q1_title[] = { "{E}拆迁补偿款未到位", "{OS}拖欠拆迁补偿", "{E}拆迁补偿问题" };

/* P2: a death in hospital the family disputes. */
static const char *const q2_core0[] = {
    "{I}母亲在{HOS}做完手术第二天就去世了，医院说是并发症，{I}认为是医疗事故。",
    "{I}父亲在{HOS}住院期间病情恶化，医院一直没有告知，{I}要求医院给个说法。",
};
static const char *const q2_core1[] = {
    "{I}申请医疗事故鉴定，卫健委说要走法律程序，{HOS}说去法院告，没人管。",
    "{HOS}拒绝提供完整的病历，{I}去了好几次都被挡回来了。",
};
static const char *const q2_core2[] = {
    "{I}为了{I}母亲的事跑了{MON}，所有部门都在推，{I}真的撑不下去了。",
    "{HOS}到现在都不承认有责任，{I}反映了无数次都没有结果。",
};
static const char *const q2_more[] = { "手术前医生说这是小手术。", "{I}有住院时的录音。", "家里人天天以泪洗面。" };
static const char *const q2_ask[] = { "组织医疗事故鉴定", "责令{HOS}提供完整病历" };
static const char *const q2_title[] = { "{HOS}医疗纠纷", "要求医疗事故鉴定", "{HOS}拒不提供病历" };

static const char *const q_threat0[] = { "" };
static const char *const q_threat1[] = {
    "再这样下去{I}只能去市里上访了。", "{I}说要去市政府门口讨个说法。", "{I}说不解决就一直打下去。",
};
static const char *const q_threat2[] = {
    "{I}说再不解决就去北京上访。", "{I}说活着也没意思了，要从楼上跳下去。",
    "{I}说要去市政府门口喝农药，让大家都看看。", "{I}已经买好了去北京的火车票。",
    "{I}说实在不行就拉横幅到省里去。",
};
static const char *const q_police0[] = { "在{S}办事大厅与工作人员发生口角。" };
static const char *const q_police1[] = { "在{S}办事大厅情绪激动，与工作人员发生争执。" };
static const char *const q_police2[] = { "在{D}政府门口吵闹，称问题不解决就去北京。" };
static const char *const q_police3[] = {
    "在{D}政府门口拉横幅，情绪激动，扬言要跳楼，现场民警正在劝导。",
    "爬上{RN}的楼顶，扬言问题不解决就跳下去，请求处置。",
    "在市政府门口拉横幅，称反映的问题一直没人管。",
};
static const char *const q_grid3[] = {
    "辖区居民{NAME}今日到市政府门口拉横幅上访，反映的问题长期未解决，已上报{S}和{D}信访局。",
    "辖区居民{NAME}扬言到北京上访，情绪极不稳定，已安排专人稳控。",
};

#define PERSON_KIND(nm, dom, p)                                                 \
    { nm, dom, { LIST(p##_core0), LIST(p##_core1), LIST(p##_core2) },            \
      LIST(p##_more), LIST(p##_ask), LIST(p##_title),                            \
      { LIST(q_threat0), LIST(q_threat1), LIST(q_threat2) },                     \
      { LIST(q_police0), LIST(q_police1), LIST(q_police2), LIST(q_police3) },    \
      LIST(q_grid3) }

static const person_kind_t person_kinds[] = {
    PERSON_KIND("工伤赔偿", 3, q0),
    PERSON_KIND("拆迁补偿", 4, q1),
    PERSON_KIND("医疗纠纷", 9, q2),
};
#define NPERSON_KINDS NEL(person_kinds)

/* Replies the angry person keeps getting. */
static const char *const q_deflect[] = {
    "经核实，该事项不属于我单位职责，建议来电人向{DEPT}反映。",
    "此事不归我办，已退回。",
    "已告知来电人该问题不归我办，建议通过司法途径解决。",
    "该问题已多次答复，来电人诉求超出政策范围。",
    "经查，该事项不属于本部门管辖，请来电人与{OS}协商。",
};

#endif
